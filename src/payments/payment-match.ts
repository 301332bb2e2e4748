import type { DiscrepancyKind } from './payments.table.ts';
import type { PaymentMetadata } from './payment-gateway.ts';

export interface PaymentMismatch {
  kind: Extract<DiscrepancyKind, 'amount_mismatch' | 'currency_mismatch' | 'metadata_mismatch'>;
  expectedAmountCents: number;
  actualAmountCents: number;
  expectedCurrency: string;
  actualCurrency: string;
  /** Ids and codes only. */
  facts: Record<string, string | null>;
}

/**
 * Whether a payment the provider reports is exactly what the booking asked for: its metadata names
 * this booking and Kassenzeichen, the currency is the booking's, and the amount received is the
 * price. Pure. The first mismatch found is returned, the most telling first: a payment meant for
 * another booking, then a foreign currency, then a different amount.
 */
export function findPaymentMismatch(
  expected: { bookingId: string; kassenzeichen: string; amountCents: number; currency: string },
  received: { amountCents: number; currency: string; metadata: PaymentMetadata },
): PaymentMismatch | null {
  const base = {
    expectedAmountCents: expected.amountCents,
    actualAmountCents: received.amountCents,
    expectedCurrency: expected.currency.toUpperCase(),
    actualCurrency: received.currency.toUpperCase(),
  };
  if (received.metadata.bookingId !== expected.bookingId || received.metadata.kassenzeichen !== expected.kassenzeichen) {
    return {
      kind: 'metadata_mismatch',
      ...base,
      facts: {
        metadataBookingId: received.metadata.bookingId?.slice(0, 100) ?? null,
        metadataKassenzeichen: received.metadata.kassenzeichen?.slice(0, 40) ?? null,
      },
    };
  }
  if (base.actualCurrency !== base.expectedCurrency) return { kind: 'currency_mismatch', ...base, facts: {} };
  if (received.amountCents !== expected.amountCents) return { kind: 'amount_mismatch', ...base, facts: {} };
  return null;
}
