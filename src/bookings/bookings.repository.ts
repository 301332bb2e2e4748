import { and, asc, desc, eq, inArray, isNotNull, lt, notInArray, or, sql, type SQL } from 'drizzle-orm';
import { inOneRoundTrip, type DbOrTx, type Transaction } from '../db/client.ts';
import { placeholders, preparedByShape, preparedInsert, preparedStatement } from '../db/prepared.ts';
import { firstRow } from '../shared/required.ts';
import { bookingEvents, bookingHolds, bookings, type Booking, type HoldReason } from './bookings.table.ts';
import { payments } from '../payments/payments.table.ts';
import { qualified } from '../db/sql-columns.ts';
import { ABANDONED_STATUSES, canTransition, PLANNABLE_STATUSES, type BookingStatus } from './booking-status.ts';
import { PIN_LETTER_DOCUMENT_TYPES } from './pin-letter.ts';
import { createBookingChangedConcurrentlyError, createInvalidTransitionError } from './bookings.errors.ts';

/**
 * SQL: the booking has an open hold (see booking-holds.repository.ts). Qualified, so it also holds
 * in a select list, where drizzle would leave a one-table query's names bare.
 */
export const hasOpenHold = sql`exists (select 1 from ${bookingHolds} where ${qualified(bookingHolds.bookingId)} = ${qualified(bookings.id)} and ${qualified(bookingHolds.releasedAt)} is null)`;
/** SQL: the booking has no open hold. */
export const hasNoOpenHold = sql`not ${hasOpenHold}`;

export type Actor = { type: 'citizen' | 'staff' | 'stripe' | 'system' | 'courier'; id?: string | null };

/**
 * Inserts a booking and its first event row in one round trip (the caller chooses the id, so the
 * event can be sent with the booking; a failed booking insert aborts the transaction and the event).
 */
export async function insertBooking(
  tx: Transaction,
  values: typeof bookings.$inferInsert & { id: string },
  actor: Actor,
): Promise<Booking> {
  const [rows] = await inOneRoundTrip(tx, [
    () => insertBookingRow(tx, values),
    () =>
      insertBookingEvent(tx, {
        bookingId: values.id,
        fromStatus: null,
        toStatus: values.status ?? 'awaiting_payment',
        actorType: actor.type,
        actorId: actor.id ?? null,
      }),
  ]);
  return firstRow(rows, 'INSERT bookings RETURNING');
}

/**
 * The one gate every booking move goes through: it refuses what the state machine forbids
 * (409 `booking.invalid_transition`), and the `where status = from` guard makes a concurrent
 * move lose cleanly (409 `booking.changed_concurrently`). The event row is sent in the same
 * round trip; a lost race throws, and the transaction takes the event row back with it.
 */
export async function transitionBooking(
  tx: Transaction,
  booking: Booking,
  to: BookingStatus,
  actor: Actor,
  reason?: string,
  extra: Partial<typeof bookings.$inferInsert> = {},
): Promise<Booking> {
  if (!canTransition(booking.status, to)) throw createInvalidTransitionError(booking.status, to);
  // The status, the row's id and the update time are the statement's own, not extra columns.
  const { status: _status, id: _id, updatedAt: _updatedAt, ...columns } = extra;
  const [[row]] = await inOneRoundTrip(tx, [
    () => transitionUpdate(tx, columns, { to, id: booking.id, from: booking.status }),
    () =>
      insertBookingEvent(tx, {
        bookingId: booking.id,
        fromStatus: booking.status,
        toStatus: to,
        actorType: actor.type,
        actorId: actor.id ?? null,
        reason: reason ?? null,
      }),
  ]);
  if (!row) throw createBookingChangedConcurrentlyError(booking.status);
  return row;
}

// The statements of the hot paths (tracking, booking, the payment webhook), built once.
const bookingById = preparedStatement('booking_by_id', (db) =>
  db
    .select()
    .from(bookings)
    .where(eq(bookings.id, sql.placeholder('id'))),
);
const bookingByIdForUpdate = preparedStatement('booking_by_id_for_update', (db) =>
  db
    .select()
    .from(bookings)
    .where(eq(bookings.id, sql.placeholder('id')))
    .for('update'),
);
const bookingByTrackingHash = preparedStatement('booking_by_tracking_hash', (db) =>
  db
    .select()
    .from(bookings)
    .where(eq(bookings.trackingTokenHash, sql.placeholder('hash'))),
);
const insertBookingRow = preparedInsert('insert_booking', bookings);
const insertBookingEvent = preparedInsert('insert_booking_event', bookingEvents);
/** The transition's update, one statement per set of extra columns (a handful in the code). */
const transitionUpdate = preparedByShape<Booking[]>(
  'transition_booking',
  (extraKeys) => (db) =>
    db
      .update(bookings)
      .set({
        ...(placeholders(extraKeys) as Partial<typeof bookings.$inferInsert>),
        status: sql`${sql.placeholder('to')}`,
        updatedAt: sql`now()`,
      })
      .where(and(eq(bookings.id, sql.placeholder('id')), eq(bookings.status, sql.placeholder('from'))))
      .returning(),
);
const eventsOfBooking = preparedStatement('events_of_booking', (db) =>
  db
    .select()
    .from(bookingEvents)
    .where(eq(bookingEvents.bookingId, sql.placeholder('bookingId')))
    .orderBy(bookingEvents.id),
);

/** What a staff list shows of a booking's payment. */
export interface BookingListPayment {
  status: string;
  amountReceivedCents: number | null;
  amountRefundedCents: number;
  disputed: boolean;
}

/**
 * What a list of bookings shows (staff lists, no contact data), in one statement: the recipient,
 * the address but its postal code, the consent and the windows stay in the database, and the
 * payment and open holds come as JSON beside each row. Whole rows and two more statements for
 * payments and holds (each built for 50 ids) were most of a page's cost.
 */
const PAGE_COLUMNS = {
  id: bookings.id,
  officeId: bookings.officeId,
  status: bookings.status,
  applicationNumber: bookings.applicationNumber,
  documentType: bookings.documentType,
  vehicleType: bookings.vehicleType,
  amountCents: bookings.amountCents,
  kassenzeichen: bookings.kassenzeichen,
  postalCode: sql<string>`${qualified(bookings.address)}->>'postalCode'`.as('postal_code'),
  createdAt: bookings.createdAt,
  updatedAt: bookings.updatedAt,
};
export type BookingListRow = Pick<
  Booking,
  | 'id'
  | 'officeId'
  | 'status'
  | 'applicationNumber'
  | 'documentType'
  | 'vehicleType'
  | 'amountCents'
  | 'kassenzeichen'
  | 'createdAt'
  | 'updatedAt'
> & { postalCode: string; payment: BookingListPayment | null; openHolds: HoldReason[] };

export function createBookingsRepository(db: DbOrTx) {
  return {
    async findById(id: string, opts: { forUpdate?: boolean } = {}): Promise<Booking | undefined> {
      const [row] = await (opts.forUpdate ? bookingByIdForUpdate : bookingById)(db, { id });
      return row;
    },

    async findByTrackingTokenHash(hash: string): Promise<Booking | undefined> {
      const [row] = await bookingByTrackingHash(db, { hash });
      return row;
    },

    async findLiveByApplication(officeId: string, applicationNumber: string, opts: { forUpdate?: boolean } = {}) {
      const q = db
        .select()
        .from(bookings)
        .where(
          and(
            eq(bookings.officeId, officeId),
            eq(bookings.applicationNumber, applicationNumber),
            notInArray(bookings.status, [...ABANDONED_STATUSES]),
          ),
        );
      const [row] = await (opts.forUpdate ? q.for('update') : q);
      return row;
    },

    events: (bookingId: string) => eventsOfBooking(db, { bookingId }),

    list(filter: {
      officeId?: string;
      statuses?: BookingStatus[];
      applicationNumber?: string;
      kassenzeichen?: string;
      createdFrom?: Date;
      createdTo?: Date;
      cursor?: { createdAt: Date; id: string };
      limit: number;
    }) {
      // `or`/`and` type their result as possibly undefined; `and(...where)` skips undefined entries.
      const where: (SQL | undefined)[] = [];
      if (filter.officeId) where.push(eq(bookings.officeId, filter.officeId));
      if (filter.statuses?.length) where.push(inArray(bookings.status, filter.statuses));
      if (filter.applicationNumber) where.push(eq(bookings.applicationNumber, filter.applicationNumber));
      if (filter.kassenzeichen) where.push(eq(bookings.kassenzeichen, filter.kassenzeichen));
      if (filter.createdFrom) where.push(sql`${bookings.createdAt} >= ${filter.createdFrom.toISOString()}`);
      if (filter.createdTo) where.push(lt(bookings.createdAt, filter.createdTo));
      if (filter.cursor) {
        const c = filter.cursor;
        where.push(or(lt(bookings.createdAt, c.createdAt), and(eq(bookings.createdAt, c.createdAt), lt(bookings.id, c.id))));
      }
      // The page is chosen first and the payment and holds are read for its rows only. In one
      // select, where no index gives the order (so PostgreSQL sorts every matching row), a
      // subquery the planner deems cheap, as the holds' while booking_holds is empty, is computed
      // for every row before the sort: on a million rows with the list's old index, 2.7 s for the
      // first page, against 0.47 s page first (bench:list).
      const page = db
        .select(PAGE_COLUMNS)
        .from(bookings)
        .where(and(...where))
        .orderBy(desc(bookings.createdAt), desc(bookings.id))
        .limit(filter.limit)
        .as('page');
      // Named with the subquery's alias: drizzle would leave it a bare "id", which inside the
      // subqueries below would be their own table's id.
      const pageId = sql`${sql.identifier('page')}.${sql.identifier('id')}`;
      return db
        .select({
          id: page.id,
          officeId: page.officeId,
          status: page.status,
          applicationNumber: page.applicationNumber,
          documentType: page.documentType,
          vehicleType: page.vehicleType,
          amountCents: page.amountCents,
          kassenzeichen: page.kassenzeichen,
          postalCode: page.postalCode,
          createdAt: page.createdAt,
          updatedAt: page.updatedAt,
          payment: sql<BookingListPayment | null>`(select json_build_object('status', ${qualified(payments.status)},
              'amountReceivedCents', ${qualified(payments.amountReceivedCents)}, 'amountRefundedCents', ${qualified(payments.amountRefundedCents)},
              'disputed', ${qualified(payments.disputed)})
            from ${payments} where ${qualified(payments.bookingId)} = ${pageId})`,
          openHolds: sql<
            HoldReason[]
          >`(select coalesce(json_agg(${qualified(bookingHolds.reason)} order by ${qualified(bookingHolds.placedAt)}), '[]'::json)
            from ${bookingHolds} where ${qualified(bookingHolds.bookingId)} = ${pageId} and ${qualified(bookingHolds.releasedAt)} is null)`,
        })
        .from(page)
        .orderBy(desc(page.createdAt), desc(page.id));
    },

    /**
     * Bookings the office could deliver: documents ready, or back after a failed attempt while
     * attempts are left. Which day they fit is decided by their preferred windows.
     */
    plannableBookings: (officeId: string, attemptLimit: number) =>
      db
        .select({
          id: bookings.id,
          location: bookings.location,
          vehicleType: bookings.vehicleType,
          preferredWindows: bookings.preferredWindows,
        })
        .from(bookings)
        .where(
          and(
            eq(bookings.officeId, officeId),
            inArray(bookings.status, [...PLANNABLE_STATUSES]),
            // A held booking (payment in question) stays in the office until someone decides.
            hasNoOpenHold,
            lt(bookings.deliveryAttempts, attemptLimit),
            // After a failed attempt the document must be back in the office (checked in under four eyes).
            eq(bookings.custodyHolder, 'office'),
            or(notInArray(bookings.documentType, [...PIN_LETTER_DOCUMENT_TYPES]), isNotNull(bookings.pinLetterConfirmedAt)),
          ),
        )
        .orderBy(asc(bookings.createdAt), asc(bookings.id)),

    bookingsByIds: (ids: string[]) =>
      ids.length === 0
        ? Promise.resolve([])
        : db
            .select({ id: bookings.id, applicationNumber: bookings.applicationNumber, location: bookings.location })
            .from(bookings)
            .where(inArray(bookings.id, ids)),

    overdueUnpaid: (now: Date, limit: number) =>
      db
        .select({ id: bookings.id })
        .from(bookings)
        // A held booking waits for a person, not for its deadline (its payment may have arrived).
        .where(and(eq(bookings.status, 'awaiting_payment'), lt(bookings.paymentDeadline, now), hasNoOpenHold))
        .limit(limit),
  };
}

export type BookingsRepository = ReturnType<typeof createBookingsRepository>;
