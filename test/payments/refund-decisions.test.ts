import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { describe, expect } from 'vitest';
import { auditLog } from '../../src/audit/audit.table.ts';
import { createBookingsRepository } from '../../src/bookings/bookings.repository.ts';
import { deliveryAttempts } from '../../src/dispatch/dispatch.table.ts';
import { holidayName } from '../../src/offices/delivery-hours.ts';
import { offices } from '../../src/offices/offices.table.ts';
import { scheduleRefund } from '../../src/payments/payment-jobs.ts';
import { createPaymentsRepository } from '../../src/payments/payments.repository.ts';
import { payments, refundDecisions, refunds } from '../../src/payments/payments.table.ts';
import { addDays, isoWeekday, localDate } from '../../src/shared/zoned-time.ts';
import { confirmedDay, registerCompany, type TestCompany } from '../dispatch/helpers.ts';
import { must } from '../helpers/must.ts';
import { platformTest } from '../helpers/platform-fixture.ts';
import { ADDRESS, api, bookingBody, createPaidBooking, eventually, seedOffice, type TestPlatform } from '../helpers/test-platform.ts';
import { localWindow, NEARBY, TZ } from '../planning/helpers.ts';

const test = platformTest({ workers: true, env: { PLANNING_TIME_LIMIT_SECONDS: '1' } });

type Headers = { headers: Record<string, string> };
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- API JSON, checked field by field
type Json = any;

/** Days ahead of the first weekday (not a holiday in Baden-Württemberg) at least `min` days from today. */
function deliveryDaysAhead(min: number) {
  const today = localDate(new Date(), TZ);
  let d = min;
  while (isoWeekday(addDays(today, d)) > 5 || holidayName(addDays(today, d), 'BW') !== null) d++;
  return d;
}

describe('the refund a booking is owed, decided from its history when it ends', () => {
  let officeId: string;
  let bikeZoneId: string;
  let supervisor: Headers;
  let clerk: Headers;
  let finance: Headers;

  /** An office whose documents go back after one failed attempt (each test plans its own office). */
  async function freshOffice(p: TestPlatform) {
    const seeded = await seedOffice(p.db, { bikeCents: 450, feeCents: 150 });
    officeId = seeded.office.id;
    bikeZoneId = seeded.bikeZone.id;
    await p.db.update(offices).set({ deliveryAttemptLimit: 1 }).where(eq(offices.id, officeId));
    supervisor = await p.staff(['supervisor'], officeId);
    clerk = await p.staff(['clerk'], officeId);
    finance = await p.staff(['finance'], null);
  }

  /** Booked and paid through the API and Stripe, its passport scanned in: ready for the day's plan. */
  async function paidReadyBooking(p: TestPlatform, daysAhead: number, location: [number, number]) {
    const date = addDays(localDate(new Date(), TZ), daysAhead);
    const quote = await api(p, 'POST', '/v1/quotes', { body: { officeId, address: ADDRESS, location } });
    expect(quote.status, JSON.stringify(quote.body)).toBe(201);
    const body = bookingBody(quote.body.id, { documentType: 'passport', preferredWindows: [localWindow(date, '09:00', '17:00')] });
    const created = await api(p, 'POST', '/v1/bookings', { body, headers: { 'idempotency-key': randomUUID() } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const paymentIntentId: string = created.body.payment.paymentIntentId;
    await p.stripe.paymentIntents.confirm(paymentIntentId, { payment_method: 'pm_card_visa' });
    await p.sandbox.flushWebhooks();
    const arrived = await api(p, 'POST', '/v1/document-arrivals', {
      ...clerk,
      body: { officeId, applicationNumber: body.applicationNumber },
    });
    expect(arrived.body.status, JSON.stringify(arrived.body)).toBe('document_ready');
    return { id: created.body.booking.id as string, applicationNumber: body.applicationNumber, location, paymentIntentId };
  }

  /** One staff member scans, a different one confirms: a handover, or a return check-in. */
  async function fourEyes(p: TestPlatform, kind: 'handover' | 'return', routeId: string, scanned: string[]) {
    const started = await api(p, 'POST', `/v1/routes/${routeId}/${kind}`, {
      ...clerk,
      body: { scanned, courierName: 'Mia Berger', courierRef: 'rider-7' },
    });
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    const confirmed = await api(p, 'POST', `/v1/handovers/${started.body.id}/confirm`, supervisor);
    expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
    return confirmed.body;
  }

  /** The day planned and accepted, the documents handed over and the route started: the stops' job ids by booking. */
  async function onTheRoad(p: TestPlatform, c: TestCompany, daysAhead: number, bookings: { id: string; applicationNumber: string }[]) {
    const { routeIds } = await confirmedDay(p, { officeId, supervisor, shiftsOf: [c.company.id], count: 0, daysAhead });
    const routeId = must(routeIds[0], 'route');
    expect((await api(p, 'POST', `/v1/courier/routes/${routeId}/accept`, { headers: c.headers })).status).toBe(200);
    await fourEyes(
      p,
      'handover',
      routeId,
      bookings.map((b) => b.applicationNumber),
    );
    expect((await c.event('route.started', { routeId })).body.outcome).toBe('applied');
    const stops: Json[] = (await api(p, 'GET', `/v1/courier/routes/${routeId}`, { headers: c.headers })).body.route.stops;
    const route = (await api(p, 'GET', `/v1/routes/${routeId}`, supervisor)).body;
    const jobOf = new Map<string, string>();
    for (const s of route.stops as Json[]) jobOf.set(s.bookingId, s.jobId);
    // Every booking is on the route once.
    expect(stops).toHaveLength(bookings.length);
    return { routeId, job: (bookingId: string) => must(jobOf.get(bookingId), `stop of ${bookingId}`) };
  }

  const decisionOf = async (p: TestPlatform, bookingId: string) =>
    (await p.db.select().from(refundDecisions).where(eq(refundDecisions.bookingId, bookingId)))[0];
  const refundsOf = (p: TestPlatform, bookingId: string) => p.db.select().from(refunds).where(eq(refunds.bookingId, bookingId));
  const attemptsOf = (p: TestPlatform, bookingId: string) =>
    p.db.select().from(deliveryAttempts).where(eq(deliveryAttempts.bookingId, bookingId)).orderBy(deliveryAttempts.attempt);
  const stripeRefunds = async (p: TestPlatform, paymentIntentId: string) =>
    (await p.stripe.refunds.list({ payment_intent: paymentIntentId, limit: 100 })).data;

  test('an attempt the courier company caused, and a document back without a report: everything refunded at Stripe, once', async ({
    p,
  }) => {
    await freshOffice(p);
    const c = await registerCompany(p, { name: 'Fault Velo', zoneIds: [bikeZoneId] });
    const daysAhead = deliveryDaysAhead(3);
    const wrongAddress = await paidReadyBooking(p, daysAhead, must(NEARBY[0], 'location'));
    const unreported = await paidReadyBooking(p, daysAhead, must(NEARBY[1], 'location'));
    const { routeId, job } = await onTheRoad(p, c, daysAhead, [wrongAddress, unreported]);

    const failedEvent = { id: `evt-fail-${randomUUID()}`, timestamp: p.clock() };
    const failed = await c.event('stop.failed', { routeId, jobId: job(wrongAddress.id), reason: 'address_not_found' }, failedEvent);
    expect(failed.body.outcome).toBe('applied');
    // The same event delivered again writes nothing twice.
    const again = await c.event('stop.failed', { routeId, jobId: job(wrongAddress.id), reason: 'address_not_found' }, failedEvent);
    expect(again.body.outcome).toBe('duplicate');
    expect(await attemptsOf(p, wrongAddress.id)).toEqual([
      expect.objectContaining({
        attempt: 1,
        routeId,
        companyId: c.company.id,
        outcome: 'failed',
        reason: 'address_not_found',
        priceCents: 300,
      }),
    ]);

    // Both come back to the office; the second without any report from the door.
    const back = await fourEyes(p, 'return', routeId, [wrongAddress.applicationNumber, unreported.applicationNumber]);
    expect(back.bookings.map((b: Json) => b.status)).toEqual(['returned_to_office', 'returned_to_office']);
    expect(await attemptsOf(p, unreported.id)).toEqual([
      expect.objectContaining({ attempt: 1, companyId: c.company.id, outcome: 'failed', reason: 'not_reported', priceCents: 300 }),
    ]);

    for (const b of [wrongAddress, unreported]) {
      expect(await decisionOf(p, b.id)).toMatchObject({ rule: 'courier_fault', policyAmountCents: 450, amountCents: 450 });
      // The worker carries the refund out at Stripe: one refund of the whole surcharge.
      const [made] = await eventually(
        () => refundsOf(p, b.id),
        (rows) => rows.length === 1 && rows[0]?.status === 'succeeded',
      );
      expect(made).toMatchObject({ amountCents: 450, reason: 'courier_fault' });
      const atStripe = await stripeRefunds(p, b.paymentIntentId);
      expect(atStripe.map((r) => [r.amount, r.status])).toEqual([[450, 'succeeded']]);
      expect(atStripe[0]?.id).toBe(made?.stripeRefundId);
    }

    // Staff see the decision on the booking's page.
    const page = await api(p, 'GET', `/v1/bookings/${wrongAddress.id}`, supervisor);
    expect(page.body.refundDecision).toMatchObject({ rule: 'courier_fault', amountCents: 450, overriddenAt: null });
    expect(page.body.refundDecision.reason).toContain('address_not_found');

    // Overriding to what already went back changes nothing at Stripe.
    const same = await api(p, 'PUT', `/v1/bookings/${wrongAddress.id}/refund-decision`, {
      ...finance,
      body: { amountCents: 450, comment: 'Checked: correct' },
    });
    expect(same.status, JSON.stringify(same.body)).toBe(200);
    expect(same.body.refund).toBeNull();
    expect(await stripeRefunds(p, wrongAddress.paymentIntentId)).toHaveLength(1);
  });

  test('not at home on every attempt: the citizen’s fault, nothing refunded; delivered: nothing owed; a person raises it, audited', async ({
    p,
  }) => {
    await freshOffice(p);
    const c = await registerCompany(p, { name: 'Home Velo', zoneIds: [bikeZoneId] });
    const daysAhead = deliveryDaysAhead(4);
    const notHome = await paidReadyBooking(p, daysAhead, must(NEARBY[2], 'location'));
    const delivered = await paidReadyBooking(p, daysAhead, must(NEARBY[3], 'location'));
    const { routeId, job } = await onTheRoad(p, c, daysAhead, [notHome, delivered]);

    expect((await c.event('stop.failed', { routeId, jobId: job(notHome.id), reason: 'not_home' })).body.outcome).toBe('applied');
    const check = {
      methods: ['photo_comparison'],
      result: 'passed',
      checkedAt: p.clock().toISOString(),
      courier: { id: 'rider-7' },
      position: { lng: delivered.location[0], lat: delivered.location[1], accuracyMetres: 12 },
      oldDocumentCollected: true,
      recipientConfirmed: true,
    };
    expect((await c.event('stop.delivered', { routeId, jobId: job(delivered.id), identityCheck: check })).body.outcome).toBe('applied');
    expect(await attemptsOf(p, delivered.id)).toEqual([
      expect.objectContaining({ attempt: 1, outcome: 'delivered', reason: null, priceCents: 600, companyId: c.company.id }),
    ]);
    expect(await decisionOf(p, delivered.id)).toMatchObject({ rule: 'delivered', amountCents: 0 });

    // Still with the courier: the booking has not ended, so there is nothing to override yet.
    const early = await api(p, 'PUT', `/v1/bookings/${notHome.id}/refund-decision`, {
      ...finance,
      body: { amountCents: 450, comment: 'Too early' },
    });
    expect(early.status).toBe(409);
    expect(early.body.error).toMatchObject({ code: 'refund_decision.not_decided', requestId: expect.any(String) });

    await fourEyes(p, 'return', routeId, [notHome.applicationNumber]);
    expect((await createBookingsRepository(p.db).findById(notHome.id))?.status).toBe('returned_to_office');
    expect(await decisionOf(p, notHome.id)).toMatchObject({ rule: 'citizen_fault', policyAmountCents: 0, amountCents: 0 });
    expect(await refundsOf(p, notHome.id)).toEqual([]);
    expect(await stripeRefunds(p, notHome.paymentIntentId)).toEqual([]);

    // Only the finance office overrides; a clerk is refused.
    const byClerk = await api(p, 'PUT', `/v1/bookings/${notHome.id}/refund-decision`, {
      ...clerk,
      body: { amountCents: 450, comment: 'Kulanz' },
    });
    expect(byClerk.status).toBe(403);
    const tooMuch = await api(p, 'PUT', `/v1/bookings/${notHome.id}/refund-decision`, {
      ...finance,
      body: { amountCents: 451, comment: 'Kulanz' },
    });
    expect(tooMuch.status).toBe(409);
    expect(tooMuch.body.error.code).toBe('refund_decision.above_paid');

    // The citizen was in hospital: the Kämmerei refunds after all.
    const comment = 'Citizen was in hospital on the day; refunded as goodwill';
    const raised = await api(p, 'PUT', `/v1/bookings/${notHome.id}/refund-decision`, { ...finance, body: { amountCents: 300, comment } });
    expect(raised.status, JSON.stringify(raised.body)).toBe(200);
    expect(raised.body.decision).toMatchObject({
      rule: 'citizen_fault',
      policyAmountCents: 0,
      amountCents: 300,
      overrideComment: comment,
      overriddenAt: expect.any(String),
    });
    expect(raised.body.refund).toMatchObject({ amountCents: 300, status: 'pending' });
    await eventually(
      () => stripeRefunds(p, notHome.paymentIntentId),
      (r) => r.length === 1 && r[0]?.status === 'succeeded',
    );
    expect((await stripeRefunds(p, notHome.paymentIntentId)).map((r) => r.amount)).toEqual([300]);
    const [audit] = await p.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.subjectId, notHome.id), eq(auditLog.action, 'refund.overridden')));
    expect(audit).toMatchObject({
      actorType: 'staff',
      officeId,
      details: { rule: 'citizen_fault', fromAmountCents: 0, toAmountCents: 300, refundCents: 300 },
    });
    // No comment (it may name the citizen's circumstances) in the audit log.
    expect(JSON.stringify(audit?.details)).not.toContain('hospital');

    // Below what already went back is refused; the decision and Stripe stay as they were.
    const lower = await api(p, 'PUT', `/v1/bookings/${notHome.id}/refund-decision`, {
      ...finance,
      body: { amountCents: 100, comment: 'Changed my mind' },
    });
    expect(lower.status).toBe(409);
    expect(lower.body.error).toMatchObject({ code: 'refund_decision.below_refunded', requestId: expect.any(String) });
    expect(lower.body.error.message).toContain('300');
    expect(await decisionOf(p, notHome.id)).toMatchObject({ amountCents: 300 });

    // Raised again: only the difference goes out.
    const full = await api(p, 'PUT', `/v1/bookings/${notHome.id}/refund-decision`, {
      ...finance,
      body: { amountCents: 450, comment: 'The fee too' },
    });
    expect(full.body.refund).toMatchObject({ amountCents: 150 });
    await eventually(
      () => stripeRefunds(p, notHome.paymentIntentId),
      (r) => r.length === 2 && r.every((x) => x.status === 'succeeded'),
    );
    expect((await stripeRefunds(p, notHome.paymentIntentId)).map((r) => r.amount).sort()).toEqual([150, 300]);

    const page = await api(p, 'GET', `/v1/bookings/${notHome.id}`, supervisor);
    expect(page.body.refundDecision).toMatchObject({ rule: 'citizen_fault', amountCents: 450, overrideComment: 'The fee too' });
  });

  test('a cancellation records its decision beside the refund it makes', async ({ p }) => {
    await freshOffice(p);
    const booking = await paidReadyBooking(p, deliveryDaysAhead(5), must(NEARBY[4], 'location'));
    const cancelled = await api(p, 'POST', `/v1/bookings/${booking.id}/cancel`, { ...clerk, body: { reason: 'moved away' } });
    expect(cancelled.body.refund).toMatchObject({ amountCents: 300 });
    const decision = await decisionOf(p, booking.id);
    expect(decision).toMatchObject({ rule: 'cancelled_before_handover', amountCents: 300, policyAmountCents: 300 });
    expect(decision?.reason).toContain('1,50 €');
    const rows = await eventually(
      () => refundsOf(p, booking.id),
      (r) => r[0]?.status === 'succeeded',
    );
    expect(rows.map((r) => [r.amountCents, r.reason])).toEqual([[300, 'cancelled']]);
  });

  test('a lost dispute owes nothing: a refund still pending is stopped and never reaches Stripe, and no override can add one', async ({
    p,
  }) => {
    await freshOffice(p);
    const { booking, payment } = await createPaidBooking(p, officeId, { paymentMethod: 'pm_card_createDispute' });
    const [disputed] = await eventually(
      () => p.db.select().from(payments).where(eq(payments.bookingId, booking.id)),
      (rows) => rows[0]?.disputed === true,
    );
    // A refund written but not carried out yet (its enqueue lost, the sweep not yet round).
    const pending = await createPaymentsRepository(p.db).insertRefund({
      paymentId: must(disputed, 'payment').id,
      bookingId: booking.id,
      amountCents: 450,
      reason: 'cancelled',
    });
    const [dispute] = (await p.stripe.disputes.list({ payment_intent: payment.paymentIntentId })).data;
    p.sandbox.closeDispute(must(dispute, 'dispute').id, 'lost');
    await p.sandbox.flushWebhooks();

    const decision = await eventually(
      () => decisionOf(p, booking.id),
      (d) => d?.rule === 'dispute_lost',
    );
    expect(decision).toMatchObject({ rule: 'dispute_lost', amountCents: 0 });
    const [stopped] = await refundsOf(p, booking.id);
    expect(stopped).toMatchObject({ id: pending.id, status: 'failed', stripeRefundId: null });
    expect(stopped?.lastError).toContain('dispute was lost');

    // The refund job, should it still run, finds nothing to do.
    await scheduleRefund(p.queues, pending.id);
    const job = must(await p.queues.queue('payments').getJob(`execute-refund_${pending.id}`), 'refund job');
    await eventually(
      () => job.getState(),
      (state) => state === 'completed',
    );
    expect(await stripeRefunds(p, payment.paymentIntentId)).toEqual([]);

    const raise = await api(p, 'PUT', `/v1/bookings/${booking.id}/refund-decision`, {
      ...finance,
      body: { amountCents: 450, comment: 'Refund anyway' },
    });
    expect(raise.status).toBe(409);
    expect(raise.body.error.code).toBe('refund_decision.disputed');
    expect(await stripeRefunds(p, payment.paymentIntentId)).toEqual([]);
  });

  test('admins set an office’s refund rules; an unknown reason or fault is a 400', async ({ p }) => {
    await freshOffice(p);
    const admin = await p.staff(['admin'], null);
    const refundRules = { faultByReason: { not_home: 'citizen', not_reported: 'courier' }, citizenFault: 'minus_fee' };
    const set = await api(p, 'PATCH', `/v1/offices/${officeId}`, { ...admin, body: { refundRules } });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body.refundRules).toEqual(refundRules);
    const [stored] = await p.db.select({ rules: offices.refundRules }).from(offices).where(eq(offices.id, officeId));
    expect(stored?.rules).toEqual(refundRules);

    for (const bad of [
      { faultByReason: { dog_in_the_garden: 'citizen' }, citizenFault: 'none' },
      { faultByReason: { not_home: 'nobody' }, citizenFault: 'none' },
      { faultByReason: {}, citizenFault: 'half' },
      { faultByReason: {} },
    ]) {
      const res = await api(p, 'PATCH', `/v1/offices/${officeId}`, { ...admin, body: { refundRules: bad } });
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(res.body.error.requestId).toEqual(expect.any(String));
    }
  });
});
