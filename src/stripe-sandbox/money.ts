/** Amount formatting and fee rules, kept in one place because they are business assumptions. */

const SYMBOLS: Record<string, string> = { eur: '€', usd: '$', gbp: '£', chf: 'CHF ' };
const ZERO_DECIMAL = new Set([
  'bif',
  'clp',
  'djf',
  'gnf',
  'jpy',
  'kmf',
  'krw',
  'mga',
  'pyg',
  'rwf',
  'ugx',
  'vnd',
  'vuv',
  'xaf',
  'xof',
  'xpf',
]);

// Stripe's minimum charge amounts for the currencies a German authority plausibly uses.
const MINIMUM_AMOUNTS: Record<string, number> = { eur: 50, usd: 50, chf: 50, gbp: 30, dkk: 250, pln: 200, sek: 300, nok: 300, czk: 1500 };

export function isZeroDecimal(currency: string): boolean {
  return ZERO_DECIMAL.has(currency);
}

/** `€10.00`, the style Stripe uses in error messages. */
export function formatAmount(amount: number, currency: string): string {
  const symbol = SYMBOLS[currency] ?? `${currency.toUpperCase()} `;
  const value = isZeroDecimal(currency) ? String(amount) : (amount / 100).toFixed(2);
  return `${symbol}${value}`;
}

export function minimumAmount(currency: string): number {
  return MINIMUM_AMOUNTS[currency] ?? 50;
}

/**
 * Processing fee in the smallest currency unit: Stripe's standard EEA card pricing,
 * 1.5 % + €0.25, so reconciliation code sees realistic non-zero fees and nets.
 */
export function calculateProcessingFee(amount: number, currency: string): number {
  const fixed = isZeroDecimal(currency) ? 0 : 25;
  return Math.round(amount * 0.015) + fixed;
}

/** Stripe's dispute fee (€20 in the EEA, $15 in the US). */
export function disputeFee(currency: string): number {
  return currency === 'usd' ? 1500 : 2000;
}
