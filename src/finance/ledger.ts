/**
 * Stripe's ledger as the finance office's code sees it: balance transactions and payouts, read
 * page by page (the adapter follows Stripe's list pagination). Amounts in the smallest currency
 * unit, signed as Stripe signs them; currency upper-case like the platform's own.
 */
export interface LedgerLine {
  id: string;
  type: string;
  /** Stripe's accounting class (charge, refund, dispute, dispute_reversal, fee, payout, payout_reversal, …). */
  reportingCategory: string;
  amountCents: number;
  feeCents: number;
  netCents: number;
  currency: string;
  sourceId: string | null;
  /** The charge and PaymentIntent the source belongs to (a charge, its refund or its dispute). */
  chargeId: string | null;
  paymentIntentId: string | null;
  /** The source's metadata as the platform wrote it (`booking_id`, `kassenzeichen`), cut to the column sizes. */
  metadataBookingId: string | null;
  metadataKassenzeichen: string | null;
  status: string;
  availableOn: Date;
  createdAt: Date;
}

export interface LedgerRefund {
  id: string;
  chargeId: string | null;
  paymentIntentId: string | null;
  amountCents: number;
  currency: string;
  status: string;
  reason: string | null;
  /** The platform's refund row, when the platform made the refund. */
  metadataRefundId: string | null;
  metadataBookingId: string | null;
  createdAt: Date;
}

export interface LedgerDispute {
  id: string;
  chargeId: string | null;
  paymentIntentId: string | null;
  amountCents: number;
  currency: string;
  status: string;
  reason: string;
  createdAt: Date;
}

export interface LedgerPayout {
  id: string;
  amountCents: number;
  currency: string;
  status: string;
  automatic: boolean;
  arrivalDate: Date;
  failureCode: string | null;
  balanceTransactionId: string | null;
  reconciliationStatus: string | null;
  createdAt: Date;
}

export interface LedgerRange {
  /** Inclusive. */
  from: Date;
  /** Exclusive. */
  to: Date;
}

export interface StripeLedger {
  /** By creation time, or every line an automatic payout paid out (its own line included). */
  balanceTransactions(query: { range: LedgerRange } | { payoutId: string }): AsyncIterable<LedgerLine>;
  payouts(range: LedgerRange): AsyncIterable<LedgerPayout>;
  payout(id: string): Promise<LedgerPayout>;
  refunds(range: LedgerRange): AsyncIterable<LedgerRefund>;
  disputes(range: LedgerRange): AsyncIterable<LedgerDispute>;
  /** One dispute as it is now: a dispute opened before the range may have been won or lost since. */
  dispute(id: string): Promise<LedgerDispute>;
}
