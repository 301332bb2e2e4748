import { randomBytes, randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { describe, expect } from 'vitest';
import { auditLog } from '../../src/audit/audit.table.ts';
import { staffSessions } from '../../src/auth/auth.table.ts';
import { bookingEvents, bookingHolds, bookings } from '../../src/bookings/bookings.table.ts';
import { createHousekeepingService } from '../../src/housekeeping/housekeeping.service.ts';
import { idempotencyKeys } from '../../src/idempotency/idempotency.table.ts';
import { courierShifts, planRoutes, plans } from '../../src/planning/planning.table.ts';
import { quotes } from '../../src/quotes/quotes.table.ts';
import { test } from '../helpers/platform-fixture.ts';
import { ADDRESS, NEAR, api, createPaidBooking, seedOffice, type TestPlatform } from '../helpers/test-platform.ts';
import { must } from '../helpers/must.ts';
import { createCouriersService } from '../../src/couriers/couriers.service.ts';
import { appendOutboundEvent } from '../../src/webhooks/outbox.ts';
import { outboundEvents } from '../../src/webhooks/webhooks.table.ts';
import { courierRiderSessions, courierRiders } from '../../src/couriers/riders.table.ts';
import { mkdtemp, readdir, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const DAY = 86_400_000;

describe('personal data is kept only as long as needed', () => {
  let officeId: string;
  let clerk: { headers: Record<string, string> };

  test.beforeAll(async ({ p }) => {
    ({
      office: { id: officeId },
    } = await seedOffice(p.db));
    clerk = await p.staff(['clerk'], officeId);
  });

  const ageBooking = (p: TestPlatform, id: string, days: number) =>
    p.db
      .update(bookings)
      .set({ updatedAt: new Date(Date.now() - days * DAY) })
      .where(eq(bookings.id, id));

  test('a booking that ended longer ago than the retention period loses name, street, exact position and typed reasons; finance data stays', async ({
    p,
  }) => {
    const old = await createPaidBooking(p, officeId, { pay: false });
    await api(p, 'POST', `/v1/bookings/${old.booking.id}/cancel`, {
      headers: { 'tracking-token': old.trackingToken },
      body: { reason: 'Erika holt selbst ab' },
    });
    const recent = await createPaidBooking(p, officeId, { pay: false });
    await api(p, 'POST', `/v1/bookings/${recent.booking.id}/cancel`, { headers: { 'tracking-token': recent.trackingToken } });
    const open = await createPaidBooking(p, officeId, { pay: false });
    await ageBooking(p, old.booking.id, 91);
    await ageBooking(p, recent.booking.id, 89);
    // Still open (awaiting payment) however old: its data is still needed.
    await ageBooking(p, open.booking.id, 200);

    // A finance officer's comment on a hold may name someone too.
    const [hold] = await p.db
      .insert(bookingHolds)
      .values({ bookingId: old.booking.id, reason: 'dispute', releasedAt: new Date(), resolution: 'cancelled', comment: 'Erika rief an' })
      .returning();

    const housekeeping = createHousekeepingService({ db: p.db, clock: () => new Date(), retentionDays: 90 });
    const first = await housekeeping.run();
    const [holdAfter] = await p.db
      .select()
      .from(bookingHolds)
      .where(eq(bookingHolds.id, must(hold, 'the inserted hold').id));
    expect(holdAfter).toMatchObject({ comment: null, resolution: 'cancelled' });
    expect(first.anonymisedBookings).toBeGreaterThanOrEqual(1);

    const viewed = await api(p, 'GET', `/v1/bookings/${old.booking.id}`, { headers: clerk.headers });
    expect(viewed.status).toBe(200);
    expect(viewed.body.recipient).toEqual({ name: '(anonymised)', phone: '-' });
    expect(viewed.body.address).toEqual({ street: '(anonymised)', houseNumber: '-', postalCode: ADDRESS.postalCode, city: ADDRESS.city });
    expect(viewed.body.location).toEqual([Math.round(NEAR[0] * 100) / 100, Math.round(NEAR[1] * 100) / 100]);
    expect(viewed.body).toMatchObject({
      kassenzeichen: old.booking.kassenzeichen,
      amountCents: old.booking.amountCents,
      status: 'cancelled',
    });
    const events = await p.db.select().from(bookingEvents).where(eq(bookingEvents.bookingId, old.booking.id)).orderBy(bookingEvents.id);
    expect(events.at(-1)).toMatchObject({ toStatus: 'cancelled', reason: null });
    const audit = await p.db
      .select()
      .from(auditLog)
      .where(sql`${auditLog.subjectId} = ${old.booking.id} and ${auditLog.action} = 'booking.anonymised'`);
    expect(audit).toHaveLength(1);

    for (const b of [recent, open]) {
      const kept = await api(p, 'GET', `/v1/bookings/${b.booking.id}`, { headers: clerk.headers });
      expect(kept.body.recipient.name).toBe('Erika Mustermann');
      expect(kept.body.address.street).toBe(ADDRESS.street);
    }

    // Running again changes nothing more.
    const second = await housekeeping.run();
    expect(second.anonymisedBookings).toBe(0);
    const auditAgain = await p.db
      .select()
      .from(auditLog)
      .where(sql`${auditLog.subjectId} = ${old.booking.id} and ${auditLog.action} = 'booking.anonymised'`);
    expect(auditAgain).toHaveLength(1);
  });

  test('route lines of long-past delivery days are coarsened to about a kilometre', async ({ p }) => {
    const [shift] = await p.db
      .insert(courierShifts)
      .values({
        officeId,
        deliveryDate: '2020-03-02',
        vehicleType: 'bike',
        vehicleCount: 1,
        capacity: 10,
        shiftStart: new Date('2020-03-02T07:00:00Z'),
        shiftEnd: new Date('2020-03-02T15:00:00Z'),
      })
      .returning();
    const [inserted] = await p.db.insert(plans).values({ officeId, deliveryDate: '2020-03-02', status: 'confirmed' }).returning();
    const plan = must(inserted, 'INSERT plans RETURNING');
    await p.db.insert(planRoutes).values({
      planId: plan.id,
      sequence: 1,
      vehicleId: 'bike-1',
      vehicleType: 'bike',
      shiftId: must(shift, 'shift').id,
      startsAt: new Date('2020-03-02T07:00:00Z'),
      endsAt: new Date('2020-03-02T09:00:00Z'),
      distanceMetres: 1200,
      durationSeconds: 3600,
      travelSeconds: 600,
      geometry: {
        type: 'LineString',
        coordinates: [
          [9.17591, 48.77461],
          [9.18123, 48.77977],
          [9.17591, 48.77461],
        ],
      },
    });
    await createHousekeepingService({ db: p.db, clock: () => new Date(), retentionDays: 90 }).run();
    const [route] = await p.db.select().from(planRoutes).where(eq(planRoutes.planId, plan.id));
    expect(must(route, 'route').geometry.coordinates).toEqual([
      [9.18, 48.77],
      [9.18, 48.78],
      [9.18, 48.77],
    ]);
    const [after] = await p.db.select().from(plans).where(eq(plans.id, plan.id));
    expect(must(after, 'after').anonymisedAt).toBeInstanceOf(Date);
  });

  test('expired idempotency records and unused expired quotes are purged; a quote a booking was made from stays', async ({ p }) => {
    const key = `old-${randomUUID()}`;
    await p.db
      .insert(idempotencyKeys)
      .values({ scope: 'createBooking', key, requestHash: 'x'.repeat(64), expiresAt: new Date(Date.now() - 1000) });
    const [unused] = await p.db
      .insert(quotes)
      .values({ officeId, location: NEAR, options: [], expiresAt: new Date(Date.now() - 2 * DAY) })
      .returning();
    const used = await createPaidBooking(p, officeId, { pay: false });
    await p.db
      .update(quotes)
      .set({ expiresAt: new Date(Date.now() - 2 * DAY) })
      .where(eq(quotes.id, used.quote.id));

    const result = await createHousekeepingService({ db: p.db, clock: () => new Date(), retentionDays: 90 }).run();
    expect(result.purgedIdempotencyKeys).toBeGreaterThanOrEqual(1);
    expect(await p.db.select().from(idempotencyKeys).where(eq(idempotencyKeys.key, key))).toHaveLength(0);
    expect(
      await p.db
        .select()
        .from(quotes)
        .where(eq(quotes.id, must(unused, 'unused').id)),
    ).toHaveLength(0);
    expect(await p.db.select().from(quotes).where(eq(quotes.id, used.quote.id))).toHaveLength(1);
  });

  test('staff sessions are deleted a month after they expired, not before', async ({ p }) => {
    const { user } = await p.staff(['clerk'], officeId);
    const [longGone, yesterday] = await p.db
      .insert(staffSessions)
      .values([
        { staffUserId: user.id, tokenHash: randomBytes(32).toString('hex'), expiresAt: new Date(Date.now() - 31 * DAY) },
        { staffUserId: user.id, tokenHash: randomBytes(32).toString('hex'), expiresAt: new Date(Date.now() - DAY) },
      ])
      .returning();

    const result = await createHousekeepingService({ db: p.db, clock: () => new Date(), retentionDays: 90 }).run();
    expect(result.purgedSessions).toBeGreaterThanOrEqual(1);
    expect(
      await p.db
        .select()
        .from(staffSessions)
        .where(eq(staffSessions.id, must(longGone, 'longGone').id)),
    ).toHaveLength(0);
    expect(
      await p.db
        .select()
        .from(staffSessions)
        .where(eq(staffSessions.id, must(yesterday, 'yesterday').id)),
    ).toHaveLength(1);
  });

  test('outbound courier events lose their data (names, addresses) after the retention period once sent; pending ones keep it', async ({
    p,
  }) => {
    const { company } = await createCouriersService({ db: p.db, clock: () => new Date() }).createCompany(
      {
        name: 'Retention Velo',
        vehicleTypes: ['bike'],
        zoneIds: [],
        pricePerDeliveryCents: 1,
        pricePerFailedAttemptCents: 1,
        contact: { name: 'M', email: 'm@example.org' },
      },
      (await p.staff(['admin'], null)).user,
    );
    const data = { stops: [{ recipient: { name: 'Erika Mustermann', phone: '+49 711 1234567' } }] };
    const append = () => p.db.transaction((tx) => appendOutboundEvent(tx, { companyId: company.id, type: 'route.offered', data }));
    const [old, pending, recent] = [await append(), await append(), await append()];
    const longAgo = new Date(Date.now() - 91 * DAY);
    await p.db.update(outboundEvents).set({ createdAt: longAgo, status: 'delivered' }).where(eq(outboundEvents.id, old.id));
    await p.db.update(outboundEvents).set({ createdAt: longAgo }).where(eq(outboundEvents.id, pending.id));
    await p.db.update(outboundEvents).set({ status: 'delivered' }).where(eq(outboundEvents.id, recent.id));

    const result = await createHousekeepingService({ db: p.db, clock: () => new Date(), retentionDays: 90 }).run();
    expect(result.emptiedWebhookEvents).toBeGreaterThanOrEqual(1);
    const dataOf = async (id: string) => must((await p.db.select().from(outboundEvents).where(eq(outboundEvents.id, id)))[0], id).data;
    expect(JSON.stringify(await dataOf(old.id))).not.toContain('Mustermann');
    expect(await dataOf(pending.id)).toEqual(data);
    expect(await dataOf(recent.id)).toEqual(data);
  });

  test('rider sessions are deleted a month after they expired, also of riders who never sign in again', async ({ p }) => {
    const { company } = await createCouriersService({ db: p.db, clock: () => new Date() }).createCompany(
      {
        name: 'Retention Riders',
        vehicleTypes: ['bike'],
        zoneIds: [],
        pricePerDeliveryCents: 1,
        pricePerFailedAttemptCents: 1,
        contact: { name: 'M', email: 'm@example.org' },
      },
      (await p.staff(['admin'], null)).user,
    );
    const [rider] = await p.db
      .insert(courierRiders)
      .values({ companyId: company.id, username: `r-${randomBytes(4).toString('hex')}`, displayName: 'R', passwordHash: 'x' })
      .returning();
    const riderId = must(rider, 'rider').id;
    const longGone = randomBytes(32).toString('hex');
    const yesterday = randomBytes(32).toString('hex');
    await p.db.insert(courierRiderSessions).values([
      { tokenHash: longGone, riderId, expiresAt: new Date(Date.now() - 31 * DAY) },
      { tokenHash: yesterday, riderId, expiresAt: new Date(Date.now() - DAY) },
    ]);

    const result = await createHousekeepingService({ db: p.db, clock: () => new Date(), retentionDays: 90 }).run();
    expect(result.purgedRiderSessions).toBeGreaterThanOrEqual(1);
    const left = await p.db.select().from(courierRiderSessions).where(eq(courierRiderSessions.riderId, riderId));
    expect(left.map((r) => r.tokenHash)).toEqual([yesterday]);
  });

  test('mails written to the mail folder (no SMTP) are deleted after the retention period; newer ones and other files stay', async ({
    p,
  }) => {
    const dir = await mkdtemp(join(tmpdir(), 'amtsbote-mails-'));
    const names = ['old.eml', 'old.json', '.old.json.tmp', 'new.eml', 'new.json', 'README.txt'];
    for (const name of names) await writeFile(join(dir, name), 'To: erika@example.org');
    const longAgo = new Date(Date.now() - 91 * DAY);
    for (const name of ['old.eml', 'old.json', '.old.json.tmp', 'README.txt']) await utimes(join(dir, name), longAgo, longAgo);

    const housekeeping = createHousekeepingService({ db: p.db, clock: () => new Date(), retentionDays: 90, mailFolder: dir });
    expect((await housekeeping.run()).purgedMails).toBe(3);
    expect((await readdir(dir)).sort()).toEqual(['README.txt', 'new.eml', 'new.json']);
    // Again: nothing left to delete; a folder that was never made is no error.
    expect((await housekeeping.run()).purgedMails).toBe(0);
    const none = createHousekeepingService({ db: p.db, clock: () => new Date(), retentionDays: 90, mailFolder: join(dir, 'missing') });
    expect((await none.run()).purgedMails).toBe(0);
  });
});
