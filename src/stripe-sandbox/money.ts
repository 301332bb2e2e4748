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
 * The sandbox's price list, in basis points and the smallest currency unit. The defaults are
 * Stripe's standard EEA card pricing, 1.5 % + €0.25 and a €20 dispute fee, so reconciliation code
 * sees realistic non-zero fees and nets.
 */
export interface SandboxFees {
  /** Percentage part of the card processing fee, in basis points (150 = 1.5 %). */
  percentBasisPoints: number;
  /** Fixed part of the card processing fee, in cents; zero-decimal currencies pay no fixed part. */
  fixedCents: number;
  /**
   * Dispute fee, in the smallest unit of the charge's currency. When not configured, Stripe's:
   * €20 and the like, $15 for USD.
   */
  disputeCents: number | undefined;
}

export const DEFAULT_FEES: SandboxFees = { percentBasisPoints: 150, fixedCents: 25, disputeCents: undefined };

/** Fills in the defaults and refuses a fee that is not a non-negative whole number, naming it. */
export function resolveFees(fees: Partial<SandboxFees> = {}): SandboxFees {
  const resolved: SandboxFees = { ...DEFAULT_FEES, ...stripUndefined(fees) };
  for (const key of ['percentBasisPoints', 'fixedCents', 'disputeCents'] as const) {
    const value = resolved[key];
    if (value !== undefined && (!Number.isSafeInteger(value) || value < 0)) {
      throw new Error(`Stripe sandbox: fees.${key} must be a non-negative whole number, not ${String(value)}`);
    }
  }
  if (resolved.percentBasisPoints > 10_000) {
    throw new Error(`Stripe sandbox: fees.percentBasisPoints must be at most 10000 (100 %), not ${resolved.percentBasisPoints}`);
  }
  return resolved;
}

function stripUndefined(fees: Partial<SandboxFees>): Partial<SandboxFees> {
  return Object.fromEntries(Object.entries(fees).filter(([, value]) => value !== undefined));
}

/** Card processing fee in the smallest currency unit, rounded to the nearest unit (halves up). */
export function calculateProcessingFee(amount: number, currency: string, fees: SandboxFees): number {
  const fixed = isZeroDecimal(currency) ? 0 : fees.fixedCents;
  return Math.round((amount * fees.percentBasisPoints) / 10_000) + fixed;
}

/** The dispute fee for a charge in `currency`. */
export function disputeFee(currency: string, fees: SandboxFees): number {
  return fees.disputeCents ?? (currency === 'usd' ? 1500 : 2000);
}
