import type { FinanceAccounts } from '../../offices/offices.table.ts';

/**
 * The accounts every finance export books to: the platform's defaults (`FINANCE_ACCOUNTS`), each
 * key overridable per office (`offices.finance_accounts`). Accounts are digit strings, since
 * leading zeros matter in a chart of accounts.
 */
export interface ResolvedFinanceAccounts {
  /** Erlöse: the surcharges charged (Haben on a charge, Soll on a refund or a dispute). */
  revenueAccount: string;
  /** Nebenkosten des Geldverkehrs: Stripe's fees, booked as an expense of their own (gross principle). */
  feeAccount: string;
  /** Geldtransit: the Stripe balance between a charge and its payout. */
  clearingAccount: string;
  /** Fremdleistungen: what courier companies invoice. */
  courierExpenseAccount: string;
  /** KOST1; empty: no cost centre column value. */
  costCentre: string;
}

/** The platform's own accounts add the bank account payouts arrive at: one Stripe account, one bank account. */
export interface PlatformFinanceAccounts extends ResolvedFinanceAccounts {
  bankAccount: string;
}

/**
 * SKR03 numbers, chosen so that nothing books tax by itself: 8200 Erlöse (no automatic VAT key —
 * whether a municipal surcharge is taxable is the city's decision, not the platform's), 4970
 * Nebenkosten des Geldverkehrs, 1360 Geldtransit, 3100 Fremdleistungen, 1200 Bank. A city on
 * SKR04 or a kommunal chart sets FINANCE_ACCOUNTS.
 */
export const DEFAULT_FINANCE_ACCOUNTS: Readonly<PlatformFinanceAccounts> = Object.freeze({
  revenueAccount: '8200',
  feeAccount: '4970',
  clearingAccount: '1360',
  courierExpenseAccount: '3100',
  bankAccount: '1200',
  costCentre: '',
});

const ACCOUNT_KEYS = ['revenueAccount', 'feeAccount', 'clearingAccount', 'courierExpenseAccount', 'bankAccount'] as const;
const KNOWN_KEYS: readonly string[] = [...ACCOUNT_KEYS, 'costCentre'];
const COST_CENTRE = /^[A-Za-z0-9_ ]{0,36}$/;

/**
 * Reads `FINANCE_ACCOUNTS` (a JSON object with any of the keys; the rest keep their defaults).
 * Throws an Error whose message starts with `variable` and names the problem: a config typo must
 * stop the start, not surface as a refused DATEV import weeks later.
 */
export function parseFinanceAccounts(
  json: string | undefined,
  accountLength: number,
  variable = 'FINANCE_ACCOUNTS',
): PlatformFinanceAccounts {
  if (json === undefined || json.trim() === '') return { ...DEFAULT_FINANCE_ACCOUNTS };
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new Error(`${variable}: not valid JSON; expected e.g. {"revenueAccount":"8200","costCentre":"BB1"}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`${variable}: must be a JSON object`);
  const given = parsed as Record<string, unknown>;
  const unknownKeys = Object.keys(given).filter((k) => !KNOWN_KEYS.includes(k));
  if (unknownKeys.length > 0) throw new Error(`${variable}: unknown key(s) ${unknownKeys.join(', ')}; known are ${KNOWN_KEYS.join(', ')}`);
  const accounts: PlatformFinanceAccounts = { ...DEFAULT_FINANCE_ACCOUNTS };
  for (const key of ACCOUNT_KEYS) {
    const value = given[key];
    if (value === undefined) continue;
    const problem = accountProblem(value, accountLength);
    if (problem) throw new Error(`${variable}: ${key} ${problem}`);
    accounts[key] = value as string;
  }
  if (given.costCentre !== undefined) {
    if (typeof given.costCentre !== 'string' || !COST_CENTRE.test(given.costCentre)) {
      throw new Error(`${variable}: costCentre must be up to 36 letters, digits, spaces or _ (DATEV KOST1)`);
    }
    accounts.costCentre = given.costCentre;
  }
  return accounts;
}

/** Why a value is no account number for DATEV with this Sachkontenlänge, or null. */
export function accountProblem(value: unknown, accountLength: number): string | null {
  if (typeof value !== 'string' || !/^\d+$/.test(value)) return `must be a string of digits, got ${JSON.stringify(value)}`;
  if (/^0+$/.test(value)) return 'must not be zero';
  if (value.length > accountLength) return `has ${value.length} digits; the account length (DATEV_ACCOUNT_LENGTH) is ${accountLength}`;
  return null;
}

/** The office's accounts: each key it sets (non-empty) wins over the platform's. */
export function resolveFinanceAccounts(
  platform: ResolvedFinanceAccounts,
  office: FinanceAccounts | null | undefined,
): ResolvedFinanceAccounts {
  const pick = (key: keyof ResolvedFinanceAccounts) => {
    const own = office?.[key];
    return typeof own === 'string' && own !== '' ? own : platform[key];
  };
  return {
    revenueAccount: pick('revenueAccount'),
    feeAccount: pick('feeAccount'),
    clearingAccount: pick('clearingAccount'),
    courierExpenseAccount: pick('courierExpenseAccount'),
    costCentre: pick('costCentre'),
  };
}
