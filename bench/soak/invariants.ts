/**
 * What the soak proves at the end, as figures. `evaluate` is pure: it takes what was read from the
 * platform's database, the Stripe sandbox and the load balancer, and says for each invariant the
 * figure and whether it holds (test/soak/invariants.test.ts breaks each one on purpose).
 */

export interface Evidence {
  bookings: { id: string; status: string; custodyHolder: string | null }[];
  payments: {
    bookingId: string;
    paymentIntentId: string | null;
    status: string;
    amountReceivedCents: number | null;
    amountRefundedCents: number;
  }[];
  refunds: { id: string; bookingId: string; status: string; amountCents: number }[];
  sandboxIntents: { id: string; bookingId: string | null; status: string; amountReceived: number }[];
  sandboxRefunds: { id: string; paymentIntentId: string; refundRowId: string | null; status: string; amount: number }[];
  /** Routes with more than one accepted offer. */
  routesAcceptedTwice: number;
  /**
   * Delivery attempts the platform recorded, against the doors the courier company reported
   * (delivered + failed): more is an event applied twice, fewer is one lost.
   */
  attempts: { recorded: number; reported: number };
  /** (booking, route, attempt) identity checks recorded more than once. */
  identityChecksTwice: number;
  /** (booking, route, event) custody entries recorded more than once. */
  custodyEntriesTwice: number;
  custody: { ok: boolean; entries?: number; reason?: string };
  /** Outbound courier webhook events not delivered at the end: still pending, or given up (dead). */
  outboundEvents: { pending: number; dead: number };
  /** Answers ≥ 500 through the load balancer, with the restart windows they may fall in. */
  serverErrors: { at: number; status: number; path: string; source: string }[];
  /**
   * `api`: an API process was killed — only the load balancer's own 502s (requests lost with the
   * process) are excused, since the other process must answer everything else. `service`: Redis or
   * PostgreSQL was down — every 5xx is excused.
   */
  restartWindows: { from: number; to: number; what: string; kind: 'api' | 'service' }[];
  /** Repeated booking requests (same key) that got another booking or PaymentIntent. */
  duplicateMismatches: number;
}

export interface Figure {
  name: string;
  value: number | string;
  ok: boolean;
}

/** Where a document is in each status once everything has settled. */
const HOLDER_OF: Record<string, (string | null)[]> = {
  awaiting_payment: [null],
  paid: [null],
  document_ready: ['office'],
  planned: ['office'],
  handed_over: ['courier'],
  out_for_delivery: ['courier'],
  delivered: ['citizen'],
  // After the courier brought it back and the office checked it in.
  attempt_failed: ['office'],
  returned_to_office: ['office'],
  // Cancelled before the handover: in the office if it had arrived, nowhere yet if not.
  cancelled: [null, 'office'],
  expired: [null],
};

const ENDED = new Set(['delivered', 'returned_to_office', 'cancelled', 'expired']);
/**
 * What may still be open once everything has settled: a booking nobody paid (it expires later) and
 * a document back in the office after a failed attempt whose citizen has no later day to choose.
 * Anything else not ended (paid, ready, planned, with the courier) is stuck.
 */
const MAY_STAY_OPEN = new Set(['awaiting_payment', 'attempt_failed']);

export function evaluate(e: Evidence): Figure[] {
  const figures: Figure[] = [];
  const add = (name: string, value: number | string, ok: boolean) => figures.push({ name, value, ok });
  const bookingById = new Map(e.bookings.map((b) => [b.id, b]));
  const paymentByBooking = new Map(e.payments.map((p) => [p.bookingId, p]));

  // Payments: one PaymentIntent per booking, and every one Stripe took money for is accounted for.
  const intentsPerBooking = new Map<string, number>();
  for (const pi of e.sandboxIntents) if (pi.bookingId) intentsPerBooking.set(pi.bookingId, (intentsPerBooking.get(pi.bookingId) ?? 0) + 1);
  add(
    'PaymentIntents created twice for one booking',
    [...intentsPerBooking.values()].filter((n) => n > 1).length,
    [...intentsPerBooking.values()].every((n) => n <= 1),
  );

  const succeeded = e.sandboxIntents.filter((pi) => pi.status === 'succeeded');
  const refundedAtStripe = new Map<string, number>();
  for (const r of e.sandboxRefunds)
    if (r.status === 'succeeded') refundedAtStripe.set(r.paymentIntentId, (refundedAtStripe.get(r.paymentIntentId) ?? 0) + r.amount);
  let forgotten = 0;
  for (const pi of succeeded) {
    const booking = pi.bookingId ? bookingById.get(pi.bookingId) : undefined;
    const refunded = refundedAtStripe.get(pi.id) ?? 0;
    // Paid at Stripe but not for the platform, or ended without delivery and not a cent back.
    if (!booking || booking.status === 'awaiting_payment') forgotten++;
    else if ((booking.status === 'cancelled' || booking.status === 'expired') && refunded === 0) forgotten++;
  }
  add('paid bookings forgotten (paid at Stripe, not delivered, refunded, returned or in flight)', forgotten, forgotten === 0);

  const refundsPerRow = new Map<string, number>();
  for (const r of e.sandboxRefunds) {
    if (!r.refundRowId || r.status === 'failed' || r.status === 'canceled') continue;
    refundsPerRow.set(r.refundRowId, (refundsPerRow.get(r.refundRowId) ?? 0) + 1);
  }
  const overRefunded = succeeded.filter((pi) => (refundedAtStripe.get(pi.id) ?? 0) > pi.amountReceived).length;
  const refundedTwice = [...refundsPerRow.values()].filter((n) => n > 1).length + overRefunded;
  add('refunds made twice (or more than was paid)', refundedTwice, refundedTwice === 0);
  const pendingRefunds = e.refunds.filter((r) => r.status === 'pending').length;
  add('refunds still pending after the settling time', pendingRefunds, pendingRefunds === 0);

  // Totals to the cent.
  const platformReceived = e.payments.filter((p) => p.status === 'succeeded').reduce((s, p) => s + (p.amountReceivedCents ?? 0), 0);
  const stripeReceived = succeeded.reduce((s, pi) => s + pi.amountReceived, 0);
  add('money received: platform − Stripe (cents)', platformReceived - stripeReceived, platformReceived === stripeReceived);
  const platformRefunded = e.payments.reduce((s, p) => s + p.amountRefundedCents, 0);
  const stripeRefunded = [...refundedAtStripe.values()].reduce((s, n) => s + n, 0);
  add('money refunded: platform − Stripe (cents)', platformRefunded - stripeRefunded, platformRefunded === stripeRefunded);
  add('money received (cents)', platformReceived, true);
  add('money refunded (cents)', platformRefunded, true);

  // Every booking in a status its custody agrees with.
  let inconsistent = 0;
  let inFlight = 0;
  let stuck = 0;
  for (const b of e.bookings) {
    if (!(HOLDER_OF[b.status] ?? []).includes(b.custodyHolder)) inconsistent++;
    if (!ENDED.has(b.status)) inFlight++;
    if (!ENDED.has(b.status) && !MAY_STAY_OPEN.has(b.status)) stuck++;
    const p = paymentByBooking.get(b.id);
    // A booking past payment must have a succeeded payment behind it.
    if (!['awaiting_payment', 'cancelled', 'expired'].includes(b.status) && p?.status !== 'succeeded') inconsistent++;
  }
  add('bookings whose status and custody disagree', inconsistent, inconsistent === 0);
  add('bookings still open (unpaid, or back in the office after a failed attempt)', inFlight - stuck, true);
  add('bookings stuck (paid, ready, planned or with the courier after settling)', stuck, stuck === 0);

  add('routes accepted twice', e.routesAcceptedTwice, e.routesAcceptedTwice === 0);
  const appliedTwice = e.identityChecksTwice + e.custodyEntriesTwice;
  add('courier events applied twice (identity checks, custody entries)', appliedTwice, appliedTwice === 0);
  const { recorded, reported } = e.attempts;
  add('delivery attempts recorded − doors the courier reported', recorded - reported, recorded === reported);
  add(
    'courier webhook events not delivered at the end (pending + dead)',
    e.outboundEvents.pending + e.outboundEvents.dead,
    e.outboundEvents.pending + e.outboundEvents.dead === 0,
  );
  add('custody chain verifies', e.custody.ok ? `yes (${e.custody.entries ?? '?'} entries)` : `no: ${e.custody.reason}`, e.custody.ok);
  add('repeated booking requests answered with another booking', e.duplicateMismatches, e.duplicateMismatches === 0);

  const outside = e.serverErrors.filter((s) => !excused(s, e.restartWindows));
  add('5xx answers during a restart window', e.serverErrors.length - outside.length, true);
  add('5xx answers outside a restart window', outside.length, outside.length === 0);
  return figures;
}

/** Whether a 5xx falls in a restart window that excuses it (see Evidence.restartWindows). */
export function excused(error: Evidence['serverErrors'][number], windows: Evidence['restartWindows']): boolean {
  return windows.some((w) => error.at >= w.from && error.at <= w.to && (w.kind === 'service' || error.source === 'proxy'));
}

export function countBy<T>(items: T[], key: (t: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) out[key(item)] = (out[key(item)] ?? 0) + 1;
  return out;
}
