import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatKassenzeichen, isValidKassenzeichen, luhnDigit } from '../../src/bookings/kassenzeichen.ts';
import { must } from '../helpers/must.ts';

const prefix = fc.stringMatching(/^[A-Z0-9]{1,8}(-[A-Z0-9]{1,4})?$/);
const year = fc.integer({ min: 2000, max: 2099 });
const sequence = fc.integer({ min: 1, max: 99_999_999 });

describe('Kassenzeichen', () => {
  it('has the shape <prefix>-<year>-<7-digit sequence><check digit>', () => {
    expect(formatKassenzeichen('STGT', 2026, 42)).toMatch(/^STGT-2026-0000042\d$/);
    expect(formatKassenzeichen('STGT', 2026, 12_345_678)).toMatch(/^STGT-2026-12345678\d$/);
  });

  it('uses the Luhn check digit (known values)', () => {
    // 7992739871 is the textbook Luhn example with check digit 3.
    expect(luhnDigit('7992739871')).toBe(3);
    expect(luhnDigit('0')).toBe(0);
    expect(luhnDigit('1')).toBe(8);
  });

  it('every formatted reference validates, for any prefix, year and sequence', () => {
    fc.assert(fc.property(prefix, year, sequence, (p, y, s) => isValidKassenzeichen(formatKassenzeichen(p, y, s))));
  });

  it('different sequences never give the same reference', () => {
    fc.assert(
      fc.property(
        prefix,
        year,
        sequence,
        sequence,
        (p, y, a, b) => a === b || formatKassenzeichen(p, y, a) !== formatKassenzeichen(p, y, b),
      ),
    );
  });

  it('a single mistyped digit is always caught', () => {
    fc.assert(
      fc.property(prefix, year, sequence, fc.nat(), fc.integer({ min: 1, max: 9 }), (p, y, s, at, delta) => {
        const ref = formatKassenzeichen(p, y, s);
        const digitPositions = [...ref].map((c, i) => (i > p.length && /\d/.test(c) ? i : -1)).filter((i) => i >= 0);
        const i = must(digitPositions[at % digitPositions.length], 'digitPositions[at % digitPositions.length]');
        const typo = `${ref.slice(0, i)}${(Number(ref[i]) + delta) % 10}${ref.slice(i + 1)}`;
        return !isValidKassenzeichen(typo);
      }),
    );
  });

  it("swapping two neighbouring different digits is caught (except 0↔9, Luhn's known blind spot)", () => {
    fc.assert(
      fc.property(prefix, year, sequence, fc.nat(), (p, y, s, at) => {
        const ref = formatKassenzeichen(p, y, s);
        const numberPart = ref.slice(p.length + 1);
        const candidates = [...numberPart].map((_, i) => i).filter((i) => /\d\d/.test(numberPart.slice(i, i + 2)));
        const i = must(candidates[at % candidates.length], 'candidates[at % candidates.length]');
        const [a, b] = [must(numberPart[i], 'numberPart[i]'), must(numberPart[i + 1], 'numberPart[i + 1]')];
        if (a === b || (a === '0' && b === '9') || (a === '9' && b === '0')) return true;
        const swapped = `${ref.slice(0, p.length + 1)}${numberPart.slice(0, i)}${b}${a}${numberPart.slice(i + 2)}`;
        return !isValidKassenzeichen(swapped);
      }),
    );
  });

  it('refuses references that are not in the format at all', () => {
    for (const bad of [
      '',
      'STGT',
      'STGT-2026',
      'STGT-2026-1',
      'stgt-2026-00000420',
      'STGT-26-00000420',
      'STGT-2026-000004X0',
      ' STGT-2026-00000420',
    ]) {
      expect(isValidKassenzeichen(bad), bad).toBe(false);
    }
  });
});
