import { readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Database } from '../db/client.ts';
import { recordAudit } from '../audit/audit.repository.ts';
import { createAuthRepository } from '../auth/auth.repository.ts';
import { createRidersRepository } from '../couriers/riders.repository.ts';
import { TERMINAL_STATUSES } from '../bookings/booking-status.ts';
import { createIdempotencyRepository } from '../idempotency/idempotency.repository.ts';
import { createPlanningRepository } from '../planning/planning.repository.ts';
import { createRetentionQueries } from './retention.queries.ts';

const DAY = 86_400_000;
const BATCH = 500;

/** Two decimals of a degree: about a kilometre, enough for statistics, too coarse to find a door. */
export const coarsen = (v: number) => Math.round(v * 100) / 100;

/**
 * Personal data is kept only as long as needed: `PERSONAL_DATA_RETENTION_DAYS` after a booking
 * ended (delivered, returned, cancelled, expired) its recipient, street address and free-text
 * reasons are removed and its position coarsened; plans of days that long ago lose their exact
 * route lines. What finance needs (amounts, Kassenzeichen, postal code) stays. Also purges
 * expired idempotency records, quotes, staff and rider sessions, and the mails written to the mail
 * folder (when no SMTP server is set) after the same period. Safe to run at any time, any number
 * of times.
 */
export function createHousekeepingService(deps: {
  db: Database;
  clock: () => Date;
  retentionDays: number;
  /** The folder mails are written to without SMTP (DATA_DIR/mails); each holds a recipient's address. */
  mailFolder?: string | null;
}) {
  const { db } = deps;

  async function anonymiseBookings(cutoff: Date): Promise<number> {
    let total = 0;
    for (;;) {
      const done = await db.transaction(async (tx) => {
        const retention = createRetentionQueries(tx);
        const due = await retention.lockBookingsToAnonymise({ statuses: TERMINAL_STATUSES, before: cutoff, limit: BATCH });
        if (due.length === 0) return 0;
        const ids = due.map((b) => b.id);
        await retention.anonymiseBookings(ids, deps.clock());
        await retention.clearReasonsTypedByPeople(ids);
        await retention.coarsenIdentityChecks(ids);
        await createPlanningRepository(tx).coarsenStopsOf(ids);
        for (const b of due) {
          await recordAudit(tx, {
            actorType: 'system',
            action: 'booking.anonymised',
            subjectType: 'booking',
            subjectId: b.id,
            officeId: b.officeId,
          });
        }
        return due.length;
      });
      total += done;
      if (done < BATCH) return total;
    }
  }

  async function coarsenOldPlans(cutoffDate: string): Promise<number> {
    const due = await createPlanningRepository(db).plansToCoarsen(cutoffDate, BATCH);
    for (const { id } of due) {
      await db.transaction(async (tx) => {
        const repo = createPlanningRepository(tx);
        for (const route of await repo.routesOf(id)) {
          const coordinates = route.geometry.coordinates.map(([lng, lat]) => [coarsen(lng), coarsen(lat)] as [number, number]);
          await repo.setRouteGeometry(route.id, { ...route.geometry, coordinates });
        }
        await repo.markPlanAnonymised(id, deps.clock());
      });
    }
    return due.length;
  }

  /** Mail files (and left-over temporary ones) last written before `before`; a missing folder is none. */
  async function purgeOldMails(dir: string, before: Date): Promise<number> {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw err;
    }
    let removed = 0;
    for (const name of names) {
      if (!/\.(eml|json|tmp)$/.test(name)) continue;
      const file = join(dir, name);
      try {
        if ((await stat(file)).mtime < before) {
          await unlink(file);
          removed++;
        }
      } catch (err) {
        // Sent again (renamed over) or removed meanwhile: nothing to do.
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    return removed;
  }

  return {
    async run() {
      const now = deps.clock();
      const cutoff = new Date(now.getTime() - deps.retentionDays * DAY);
      const anonymisedBookings = await anonymiseBookings(cutoff);
      const coarsenedPlans = await coarsenOldPlans(cutoff.toISOString().slice(0, 10));
      const emptiedWebhookEvents = await createRetentionQueries(db).emptyOldOutboundEvents(cutoff);
      const purgedIdempotencyKeys = await createIdempotencyRepository(db).purgeExpired(now);
      // Quotes a booking was made from stay (the booking refers to its price); the rest go a day after expiry.
      const purgedQuotes = await createRetentionQueries(db).deleteUnbookedQuotes(new Date(now.getTime() - DAY));
      const monthAgo = new Date(now.getTime() - 30 * DAY);
      const purgedSessions = await createAuthRepository(db).purgeSessionsExpiredBefore(monthAgo);
      const purgedRiderSessions = await createRidersRepository(db).purgeSessionsExpiredBefore(monthAgo);
      const purgedMails = deps.mailFolder ? await purgeOldMails(deps.mailFolder, cutoff) : 0;
      return {
        anonymisedBookings,
        coarsenedPlans,
        emptiedWebhookEvents,
        purgedIdempotencyKeys,
        purgedQuotes,
        purgedSessions,
        purgedRiderSessions,
        purgedMails,
      };
    },
  };
}

export type HousekeepingService = ReturnType<typeof createHousekeepingService>;
