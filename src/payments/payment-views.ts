import type { BookingHold } from '../bookings/bookings.table.ts';
import type { Payment, PaymentDiscrepancy, PaymentDispute, Refund, RefundDecision } from './payments.table.ts';

/** Rows as the API shows them (ISO times, no internal columns); shared by staff and finance routes. */
const iso = (d: Date | null) => (d ? d.toISOString() : null);

export const toPaymentSummary = (p: Payment) => ({
  id: p.id,
  bookingId: p.bookingId,
  paymentIntentId: p.paymentIntentId,
  status: p.status,
  amountCents: p.amountCents,
  amountReceivedCents: p.amountReceivedCents,
  amountRefundedCents: p.amountRefundedCents,
  currency: p.currency,
  disputed: p.disputed,
  kassenzeichen: p.kassenzeichen,
  createdAt: p.createdAt.toISOString(),
  updatedAt: p.updatedAt.toISOString(),
});

export const toRefundView = (r: Refund) => ({
  id: r.id,
  amountCents: r.amountCents,
  status: r.status,
  reason: r.reason,
  createdAt: r.createdAt.toISOString(),
});

export const toDisputeView = (d: PaymentDispute) => ({
  id: d.id,
  paymentId: d.paymentId,
  bookingId: d.bookingId,
  amountCents: d.amountCents,
  currency: d.currency,
  reason: d.reason,
  status: d.status,
  openedAt: d.openedAt.toISOString(),
  closedAt: iso(d.closedAt),
});

export const toDiscrepancyView = (d: PaymentDiscrepancy) => ({
  id: d.id,
  kind: d.kind,
  action: d.action,
  paymentId: d.paymentId,
  bookingId: d.bookingId,
  officeId: d.officeId,
  kassenzeichen: d.kassenzeichen,
  stripeObjectId: d.stripeObjectId,
  expectedAmountCents: d.expectedAmountCents,
  actualAmountCents: d.actualAmountCents,
  expectedCurrency: d.expectedCurrency,
  actualCurrency: d.actualCurrency,
  holdId: d.holdId,
  facts: d.facts,
  detectedAt: d.detectedAt.toISOString(),
  resolvedAt: iso(d.resolvedAt),
  resolvedBy: d.resolvedBy,
  resolutionComment: d.resolutionComment,
});

export const toHoldView = (h: BookingHold) => ({
  id: h.id,
  reason: h.reason,
  placedAt: h.placedAt.toISOString(),
  releasedAt: iso(h.releasedAt),
  resolution: h.resolution,
});

export const toRefundDecisionView = (d: RefundDecision) => ({
  rule: d.rule,
  reason: d.reason,
  policyAmountCents: d.policyAmountCents,
  amountCents: d.amountCents,
  decidedAt: d.decidedAt.toISOString(),
  overriddenByStaffId: d.overriddenByStaffId,
  overriddenAt: iso(d.overriddenAt),
  overrideComment: d.overrideComment,
});
