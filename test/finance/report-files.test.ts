import { describe, expect, it } from 'vitest';
import { DEFAULT_FINANCE_ACCOUNTS, resolveFinanceAccounts } from '../../src/finance/reports/finance-accounts.ts';
import { datevText, fiscalYearStartOf } from '../../src/finance/reports/report-files.ts';
import { monthBounds } from '../../src/finance/reports/courier-invoice.ts';
import { localDayRange } from '../../src/finance/reports/booking-list.ts';

describe('what the finance reports compute without a database', () => {
  it("an office's accounts win key by key; empty values fall back to the platform's", () => {
    expect(resolveFinanceAccounts(DEFAULT_FINANCE_ACCOUNTS, { revenueAccount: '8300', costCentre: '' })).toEqual({
      revenueAccount: '8300',
      feeAccount: '4970',
      clearingAccount: '1360',
      courierExpenseAccount: '3100',
      costCentre: '',
    });
    expect(resolveFinanceAccounts(DEFAULT_FINANCE_ACCOUNTS, null).revenueAccount).toBe('8200');
  });

  it('the fiscal year of a date starts in its own year or the one before', () => {
    expect(fiscalYearStartOf('2026-03-05', '01-01')).toBe('2026-01-01');
    expect(fiscalYearStartOf('2026-03-05', '07-01')).toBe('2025-07-01');
    expect(fiscalYearStartOf('2026-07-01', '07-01')).toBe('2026-07-01');
  });

  it('a Buchungstext keeps umlauts, loses quotes and line breaks, and fits 60 characters', () => {
    expect(datevText('Zahlung "Bürgerbüro Süd"\n', 'windows-1252')).toBe('Zahlung  Bürgerbüro Süd  ');
    expect(datevText('Büro Łódź', 'windows-1252')).toBe('Büro ?ód?');
    expect(datevText('Büro Łódź', 'utf-8-bom')).toBe('Büro Łódź');
    expect([...datevText('x'.repeat(80), 'windows-1252')]).toHaveLength(60);
  });

  it('a month runs to the first of the next, across the year end', () => {
    expect(monthBounds('2026-12')).toEqual({ first: '2026-12-01', next: '2027-01-01' });
    expect(monthBounds('2026-03')).toEqual({ first: '2026-03-01', next: '2026-04-01' });
  });

  it('an office-local day is 23 hours on the spring DST change and 25 on the autumn one', () => {
    const spring = localDayRange('2026-03-29', 'Europe/Berlin');
    expect(spring.from.toISOString()).toBe('2026-03-28T23:00:00.000Z');
    expect(spring.to.getTime() - spring.from.getTime()).toBe(23 * 3_600_000);
    const autumn = localDayRange('2026-10-25', 'Europe/Berlin');
    expect(autumn.to.getTime() - autumn.from.getTime()).toBe(25 * 3_600_000);
  });
});
