/**
 * Stripe's documented test PaymentMethods (https://docs.stripe.com/testing) that the sandbox
 * understands. Confirming with one of these ids behaves as the real test mode does: Stripe turns
 * the magic id into a fresh `pm_…` PaymentMethod and the card's outcome decides the payment.
 */

export type CardOutcome =
  { kind: 'succeed' } | { kind: 'dispute'; reason: 'fraudulent' } | { kind: 'decline'; code: string; declineCode: string; message: string };

export interface TestCard {
  brand: string;
  last4: string;
  country: string;
  funding: 'credit' | 'debit';
  expMonth: number;
  expYear: number;
  fingerprint: string;
  outcome: CardOutcome;
}

const GENERIC_DECLINE: CardOutcome = {
  kind: 'decline',
  code: 'card_declined',
  declineCode: 'generic_decline',
  message: 'Your card was declined.',
};

function defineCard(brand: string, last4: string, outcome: CardOutcome, extra: Partial<TestCard> = {}): TestCard {
  return {
    brand,
    last4,
    country: 'US',
    funding: 'credit',
    expMonth: 12,
    expYear: new Date().getUTCFullYear() + 3,
    fingerprint: `sbx${brand}${last4}${outcome.kind}`.slice(0, 24),
    outcome,
    ...extra,
  };
}

const TEST_CARDS: Record<string, TestCard> = {
  pm_card_visa: defineCard('visa', '4242', { kind: 'succeed' }),
  pm_card_visa_debit: defineCard('visa', '5556', { kind: 'succeed' }, { funding: 'debit' }),
  pm_card_mastercard: defineCard('mastercard', '4444', { kind: 'succeed' }),
  pm_card_amex: defineCard('amex', '8431', { kind: 'succeed' }),
  pm_card_de: defineCard('visa', '0016', { kind: 'succeed' }, { country: 'DE' }),
  pm_card_chargeDeclined: defineCard('visa', '0002', GENERIC_DECLINE),
  pm_card_visa_chargeDeclined: defineCard('visa', '0002', GENERIC_DECLINE),
  pm_card_chargeDeclinedInsufficientFunds: defineCard('visa', '9995', {
    kind: 'decline',
    code: 'card_declined',
    declineCode: 'insufficient_funds',
    message: 'Your card has insufficient funds.',
  }),
  pm_card_chargeDeclinedFraudulent: defineCard('visa', '0019', {
    kind: 'decline',
    code: 'card_declined',
    declineCode: 'fraudulent',
    message: 'Your card was declined.',
  }),
  pm_card_chargeDeclinedExpiredCard: defineCard('visa', '0069', {
    kind: 'decline',
    code: 'expired_card',
    declineCode: 'expired_card',
    message: 'Your card has expired.',
  }),
  pm_card_createDispute: defineCard('visa', '0259', { kind: 'dispute', reason: 'fraudulent' }),
};

export function findTestCard(paymentMethodId: string): TestCard | undefined {
  return Object.hasOwn(TEST_CARDS, paymentMethodId) ? TEST_CARDS[paymentMethodId] : undefined;
}

export function listTestCardIds(): string[] {
  return Object.keys(TEST_CARDS);
}

/** The test card behind a PaymentMethod the sandbox created earlier (matched by fingerprint). */
export function findTestCardByFingerprint(fingerprint: string | null | undefined): TestCard | undefined {
  return Object.values(TEST_CARDS).find((card) => card.fingerprint === fingerprint);
}
