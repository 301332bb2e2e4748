import { createInvalidCursorError } from './request.errors.ts';

/**
 * Opaque list cursors: the (timestamp, id) of the last row of a page, newest first. Timestamps are
 * kept at millisecond precision (columns are timestamptz(3)), so the cursor holds the exact value.
 */
export interface Cursor {
  createdAt: Date;
  id: string;
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.createdAt.toISOString(), c.id])).toString('base64url');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Stripe's object ids (`dp_…`), for lists keyed by them. */
export const STRIPE_ID = /^[a-z]{2,5}_[0-9A-Za-z]{1,250}$/;

/** The id must look like the list's ids (uuids by default): the cursor goes into a typed query. */
export function decodeCursor(cursor: string, idPattern: RegExp = UUID): Cursor {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, string];
    const date = new Date(createdAt);
    if (Number.isNaN(date.getTime()) || typeof id !== 'string' || !idPattern.test(id)) throw new Error('bad');
    return { createdAt: date, id };
  } catch {
    throw createInvalidCursorError();
  }
}

/** One page and the cursor of the next: the query asks for `limit + 1` rows to know there is one. */
export function toPage<T>(rows: T[], limit: number, cursorOf: (row: T) => Cursor): { data: T[]; nextCursor: string | null } {
  const data = rows.slice(0, limit);
  const last = data.at(-1);
  return { data, nextCursor: rows.length > limit && last ? encodeCursor(cursorOf(last)) : null };
}
