import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as bookingsKassenzeichen from '../../src/bookings/kassenzeichen.ts';
import {
  DEFAULT_KASSENZEICHEN_FORMAT,
  DEFAULT_KASSENZEICHEN_TEMPLATE,
  KASSENZEICHEN_MAX_LENGTH,
  assertValidKassenzeichenFormat,
  describeKassenzeichenFormat,
  formatKassenzeichen,
  isValidKassenzeichenAnyFormat,
  luhnCheckDigit,
  maxKassenzeichenLength,
  mod11CheckValue,
  parseKassenzeichen,
  parseKassenzeichenFormat,
  validateKassenzeichen,
  type KassenzeichenFormat,
} from '../../src/finance/kassenzeichen-format.ts';
import { AppError } from '../../src/shared/errors.ts';
import { must } from '../helpers/must.ts';

/**
 * The Kassenzeichen code as it was before formats became configurable (commit 0fe8ee4,
 * src/bookings/kassenzeichen.ts), kept verbatim as the oracle the new module must match.
 */
const legacy = {
  formatKassenzeichen(prefix: string, year: number, sequence: number): string {
    const body = `${year}${String(sequence).padStart(7, '0')}`;
    return `${prefix}-${year}-${String(sequence).padStart(7, '0')}${legacy.luhnDigit(body)}`;
  },
  luhnDigit(digits: string): number {
    let sum = 0;
    for (let i = 0; i < digits.length; i++) {
      let d = Number(digits[digits.length - 1 - i]);
      if (i % 2 === 0) {
        d *= 2;
        if (d > 9) d -= 9;
      }
      sum += d;
    }
    return (10 - (sum % 10)) % 10;
  },
  isValidKassenzeichen(value: string): boolean {
    const m = /^[A-Z0-9-]{1,16}-(\d{4})-(\d{7,})(\d)$/.exec(value);
    if (!m) return false;
    return legacy.luhnDigit(`${m[1]}${m[2]}`) === Number(m[3]);
  },
};

/** `-<yyyy>-` then 13 or more sequence digits and the check digit. */
const SEQUENCE_OF_13_OR_MORE_DIGITS = /-\d{4}-\d{14,}$/;

const officePrefix = fc.stringMatching(/^[A-Z0-9-]{1,16}$/);
const year = fc.integer({ min: 2000, max: 2099 });
const sevenDigitSequence = fc.integer({ min: 0, max: 9_999_999 });

const anyFormat: fc.Arbitrary<KassenzeichenFormat> = fc
  .record({
    cityPrefix: fc.oneof(fc.constant(''), fc.stringMatching(/^[A-Z0-9]{1,8}$/)),
    includeYear: fc.boolean(),
    sequenceLength: fc.integer({ min: 5, max: 12 }),
    checkDigit: fc.constantFrom('luhn' as const, 'mod11' as const, 'none' as const),
    separator: fc.constantFrom('-' as const, '' as const),
  })
  .filter((f) => maxKassenzeichenLength(f) <= KASSENZEICHEN_MAX_LENGTH);

/** A format and a sequence that fits it. */
const formatAndParts = fc
  .tuple(anyFormat, officePrefix, year, fc.nat({ max: Number.MAX_SAFE_INTEGER }))
  .map(([format, prefix, y, n]) => ({ format, parts: { prefix, year: y, sequence: n % 10 ** format.sequenceLength } }));

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return err.code;
    throw err;
  }
  return undefined;
}

/** Index of the first character after the office prefix: the year, sequence and check digit follow. */
function tailStart(format: KassenzeichenFormat, value: string): number {
  const sep = format.separator.length;
  return value.length - ((format.includeYear ? 4 + sep : 0) + format.sequenceLength + (format.checkDigit === 'none' ? 0 : 1));
}

describe('Kassenzeichen format: the default is today’s format', () => {
  it('the default template reads as the default format, and the default format writes as the default template', () => {
    expect(parseKassenzeichenFormat(DEFAULT_KASSENZEICHEN_TEMPLATE)).toEqual(DEFAULT_KASSENZEICHEN_FORMAT);
    expect(describeKassenzeichenFormat(DEFAULT_KASSENZEICHEN_FORMAT)).toBe(DEFAULT_KASSENZEICHEN_TEMPLATE);
  });

  it('formats exactly as the old function for any prefix, year and 7-digit sequence', () => {
    fc.assert(
      fc.property(officePrefix, year, sevenDigitSequence, (p, y, s) => {
        expect(formatKassenzeichen(DEFAULT_KASSENZEICHEN_FORMAT, { prefix: p, year: y, sequence: s })).toBe(
          legacy.formatKassenzeichen(p, y, s),
        );
      }),
      { numRuns: 2000 },
    );
    // A few fixed ones, readable in a diff.
    expect(formatKassenzeichen(DEFAULT_KASSENZEICHEN_FORMAT, { prefix: 'STR-BBM', year: 2026, sequence: 42 })).toBe(
      legacy.formatKassenzeichen('STR-BBM', 2026, 42),
    );
    for (let s = 0; s < 500; s++) {
      expect(formatKassenzeichen(DEFAULT_KASSENZEICHEN_FORMAT, { prefix: 'TA1B2C3', year: 2025, sequence: s })).toBe(
        legacy.formatKassenzeichen('TA1B2C3', 2025, s),
      );
    }
  });

  it('the bookings functions still give what they gave, also once the sequence outgrows 7 digits', () => {
    fc.assert(
      fc.property(officePrefix, year, fc.integer({ min: 0, max: 999_999_999_999 }), (p, y, s) => {
        expect(bookingsKassenzeichen.formatKassenzeichen(p, y, s)).toBe(legacy.formatKassenzeichen(p, y, s));
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.stringMatching(/^\d{1,30}$/), (digits) => {
        expect(bookingsKassenzeichen.luhnDigit(digits)).toBe(legacy.luhnDigit(digits));
      }),
    );
  });

  it('the bookings validator agrees with the old one on references, typos and junk', () => {
    const nearReference = fc
      .tuple(officePrefix, year, fc.integer({ min: 0, max: 999_999_999_999 }), fc.nat(), fc.string({ maxLength: 2 }))
      .map(([p, y, s, at, junk]) => {
        const ref = legacy.formatKassenzeichen(p, y, s);
        const i = at % (ref.length + 1);
        return `${ref.slice(0, i)}${junk}${ref.slice(i + (junk.length > 0 ? 1 : 0))}`;
      });
    fc.assert(
      fc.property(fc.oneof(nearReference, fc.string({ maxLength: 36 })), (value) => {
        fc.pre(!SEQUENCE_OF_13_OR_MORE_DIGITS.test(value)); // the one intended difference, see below
        expect(bookingsKassenzeichen.isValidKassenzeichen(value)).toBe(legacy.isValidKassenzeichen(value));
      }),
      { numRuns: 3000 },
    );
  });

  it('differs from the old validator only for sequences of 13 or more digits, which no format writes', () => {
    const ref = legacy.formatKassenzeichen('BB1', 2026, 1_000_000_000_000);
    expect(ref).toMatch(SEQUENCE_OF_13_OR_MORE_DIGITS);
    expect(legacy.isValidKassenzeichen(ref)).toBe(true);
    expect(bookingsKassenzeichen.isValidKassenzeichen(ref)).toBe(false);
    expect(() => bookingsKassenzeichen.formatKassenzeichen('BB1', 2026, 1_000_000_000_000)).toThrow(/does not fit/);
  });
});

describe('Kassenzeichen format: a city changes its format', () => {
  const newFormat = parseKassenzeichenFormat('S{prefix}{seq:9}{check:mod11}');

  it('references issued before the change still validate', () => {
    fc.assert(
      fc.property(officePrefix, year, fc.integer({ min: 0, max: 99_999_999 }), (p, y, s) => {
        const old = legacy.formatKassenzeichen(p, y, s);
        expect(validateKassenzeichen(newFormat, old)).toBe(false); // the new format alone would refuse it…
        expect(isValidKassenzeichenAnyFormat(old, [newFormat])).toBe(true); // …the legacy format keeps it
      }),
    );
  });

  it('references of a format used in between still validate when it is listed', () => {
    const between = parseKassenzeichenFormat('{prefix}-{seq:8}{check:luhn}');
    const ref = formatKassenzeichen(between, { prefix: 'BB1', year: 2026, sequence: 77 });
    expect(isValidKassenzeichenAnyFormat(ref, [newFormat])).toBe(false);
    expect(isValidKassenzeichenAnyFormat(ref, [newFormat, between])).toBe(true);
  });

  it('a mistyped old reference is still refused', () => {
    const old = legacy.formatKassenzeichen('STR-BBM', 2025, 1234);
    const typo = `${old.slice(0, -2)}${(Number(old.at(-2)) + 1) % 10}${old.at(-1)}`;
    expect(isValidKassenzeichenAnyFormat(typo, [newFormat])).toBe(false);
  });
});

describe('Kassenzeichen format: any valid format', () => {
  it('reads back from its own template', () => {
    fc.assert(
      fc.property(anyFormat, (f) => {
        expect(parseKassenzeichenFormat(describeKassenzeichenFormat(f))).toEqual(f);
      }),
    );
  });

  it('writes references that validate, parse back to their parts and fit DATEV Belegfeld 1', () => {
    fc.assert(
      fc.property(formatAndParts, ({ format, parts }) => {
        const ref = formatKassenzeichen(format, parts);
        expect(ref.length).toBeLessThanOrEqual(maxKassenzeichenLength(format));
        expect(ref.length).toBeLessThanOrEqual(36);
        expect(ref).toMatch(/^[A-Z0-9-]+$/);
        expect(parseKassenzeichen(format, ref)).toEqual({
          prefix: parts.prefix,
          year: format.includeYear ? parts.year : null,
          sequence: parts.sequence,
        });
      }),
      { numRuns: 2000 },
    );
  });

  it('a single mistyped digit in year, sequence or check digit is always caught (Luhn and mod 11)', () => {
    fc.assert(
      fc.property(
        formatAndParts.filter(({ format }) => format.checkDigit !== 'none'),
        fc.nat(),
        fc.integer({ min: 1, max: 9 }),
        ({ format, parts }, at, delta) => {
          const ref = formatKassenzeichen(format, parts);
          const start = tailStart(format, ref);
          const positions = [...ref].flatMap((c, i) => (i >= start && /\d/.test(c) ? [i] : []));
          const i = must(positions[at % positions.length], 'a digit position');
          const typo = `${ref.slice(0, i)}${(Number(ref[i]) + delta) % 10}${ref.slice(i + 1)}`;
          expect(validateKassenzeichen(format, typo), `${ref} → ${typo}`).toBe(false);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('mod 11 also catches every swap of two neighbouring different digits of year and sequence', () => {
    fc.assert(
      fc.property(
        formatAndParts.filter(({ format }) => format.checkDigit === 'mod11'),
        fc.nat(),
        ({ format, parts }, at) => {
          const ref = formatKassenzeichen(format, parts);
          const start = tailStart(format, ref);
          const end = ref.length - 1; // the check digit is not part of the weighted digits
          const pairs = [...ref].flatMap((_, i) => (i >= start && i + 1 < end && /^\d\d$/.test(ref.slice(i, i + 2)) ? [i] : []));
          const i = must(pairs[at % pairs.length], 'a pair of neighbouring digits');
          const [a, b] = [must(ref[i], 'ref[i]'), must(ref[i + 1], 'ref[i + 1]')];
          fc.pre(a !== b);
          const swapped = `${ref.slice(0, i)}${b}${a}${ref.slice(i + 2)}`;
          expect(validateKassenzeichen(format, swapped), `${ref} → ${swapped}`).toBe(false);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('a format without check digit takes any digits (so the check digits above are what catches typos)', () => {
    const f = parseKassenzeichenFormat('{prefix}-{seq:6}');
    expect(validateKassenzeichen(f, 'BB1-123456')).toBe(true);
    expect(validateKassenzeichen(f, 'BB1-123457')).toBe(true);
  });
});

describe('Kassenzeichen check digits: known values', () => {
  it('Luhn', () => {
    expect(luhnCheckDigit('7992739871')).toBe(3);
    expect(luhnCheckDigit('0')).toBe(0);
    expect(luhnCheckDigit('1')).toBe(8);
  });

  it('mod 11 with weights 2–7 from the right, 10 written as X', () => {
    // 1·2 = 2 → 11 − 2 = 9
    expect(mod11CheckValue('00001')).toBe(9);
    // 6·2 = 12 ≡ 1 → 10
    expect(mod11CheckValue('00006')).toBe(10);
    // 1·7 + 2·2 = 11 ≡ 0 → 0 (weights 2,3,4,5,6,7 for the six rightmost digits: the 1 sits at weight 7)
    expect(mod11CheckValue('100002')).toBe(0);
    // weights repeat after six digits: the 7th digit from the right has weight 2 again
    expect(mod11CheckValue('1000000')).toBe(mod11CheckValue('1'));
    const f = parseKassenzeichenFormat('{prefix}-{seq:5}{check:mod11}');
    expect(formatKassenzeichen(f, { prefix: 'BB1', year: 2026, sequence: 6 })).toBe('BB1-00006X');
    expect(formatKassenzeichen(f, { prefix: 'BB1', year: 2026, sequence: 1 })).toBe('BB1-000019');
    expect(validateKassenzeichen(f, 'BB1-00006X')).toBe(true);
    expect(validateKassenzeichen(f, 'BB1-000060')).toBe(false);
  });

  it('refuses non-digits instead of computing a check digit over them', () => {
    expect(codeOf(() => luhnCheckDigit('12a'))).toBe('kassenzeichen.invalid_parts');
    expect(codeOf(() => mod11CheckValue(''))).toBe('kassenzeichen.invalid_parts');
  });
});

describe('Kassenzeichen format: templates', () => {
  it('reads city part, separators, year and check digit', () => {
    expect(parseKassenzeichenFormat('S-{prefix}-{seq:9}{check:mod11}')).toEqual({
      cityPrefix: 'S',
      includeYear: false,
      sequenceLength: 9,
      checkDigit: 'mod11',
      separator: '-',
    });
    expect(parseKassenzeichenFormat('{prefix}{yyyy}{seq:5}')).toEqual({
      cityPrefix: '',
      includeYear: true,
      sequenceLength: 5,
      checkDigit: 'none',
      separator: '',
    });
    expect(parseKassenzeichenFormat('{prefix}-{seq:5}{check:none}').checkDigit).toBe('none');
  });

  it.each([
    ['', /empty format/],
    ['{prefix}-{year}-{seq:7}', /unknown placeholder "\{year\}" at position 10/],
    ['{prefix}-{yyyy}-{seq}', /"\{seq\}" needs its number of digits/],
    ['{prefix}-{seq:4}', /sequence length 4 is outside 5–12/],
    ['{prefix}-{seq:13}', /sequence length 13 is outside 5–12/],
    ['{prefix}-{yyyy}{seq:7}', /separators must be all "-" or all empty/],
    ['{prefix}/{seq:7}', /separator at position 9 must be "-" or nothing/],
    ['{yyyy}-{prefix}-{seq:7}', /must start with \{prefix\}/],
    ['{prefix}-{seq:7}-{yyyy}', /"\{yyyy\}" must come before "\{seq\}"/],
    ['{prefix}-{yyyy}-{seq:7}-{check:luhn}', /check digit must follow \{seq:N\} directly/],
    ['{prefix}-{seq:7}{check:crc}', /unknown check digit method "crc"/],
    ['{prefix}-{seq:7}{check:luhn}X', /unexpected "X" after the last placeholder/],
    ['{yyyy}-{seq:7}', /must start with \{prefix\}/],
    ['S-{seq:7}', /must start with \{prefix\}/],
    ['ABC', /\{prefix\} \(the office prefix\) is missing/],
    ['{prefix}-{yyyy}', /\{seq:N\} \(the sequence number\) is missing/],
    ['{prefix}-{prefix}-{seq:7}', /"\{prefix\}" appears twice/],
    ['{prefix-{seq:7}', /unmatched "\{" at position 1/],
    ['{prefix}}-{seq:7}', /unmatched "\}" at position 9/],
    ['str-{prefix}-{seq:7}', /city part of 1–8 capital letters or digits/],
    ['STADTKASSE-{prefix}-{seq:7}', /city part of 1–8 capital letters or digits/],
    ['{prefix:3}-{seq:7}', /takes no argument/],
    // 9 + 16 + 5 + 13 + 1 = 44
    ['STADTKAS-{prefix}-{yyyy}-{seq:12}{check:luhn}', /can produce 44 characters .* Belegfeld 1 holds 36/],
  ])('refuses %j, naming the problem', (template, message) => {
    let error: unknown;
    try {
      parseKassenzeichenFormat(template);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('kassenzeichen.invalid_format');
    expect((error as AppError).message).toMatch(/^KASSENZEICHEN_FORMAT: /);
    expect((error as AppError).message).toMatch(message);
  });

  it('takes a format of exactly 36 characters and refuses one of 37', () => {
    // 3 + 16 + 5 + 11 + 1 = 36
    const f = parseKassenzeichenFormat('AB-{prefix}-{yyyy}-{seq:10}{check:luhn}');
    expect(maxKassenzeichenLength(f)).toBe(36);
    const longest = formatKassenzeichen(f, { prefix: 'ABCDEFGHIJKLMNOP', year: 2026, sequence: 9_999_999_999 });
    expect(longest).toHaveLength(36);
    expect(codeOf(() => parseKassenzeichenFormat('AB-{prefix}-{yyyy}-{seq:11}{check:luhn}'))).toBe('kassenzeichen.invalid_format');
  });

  it('names the variable it read the template from', () => {
    expect(() => parseKassenzeichenFormat('{prefix}', 'CITY_KZ')).toThrow(/^CITY_KZ: /);
  });

  it('checks a format given as an object, too', () => {
    expect(codeOf(() => assertValidKassenzeichenFormat({ ...DEFAULT_KASSENZEICHEN_FORMAT, sequenceLength: 4 }))).toBe(
      'kassenzeichen.invalid_format',
    );
    expect(
      codeOf(() => formatKassenzeichen({ ...DEFAULT_KASSENZEICHEN_FORMAT, cityPrefix: 'a' }, { prefix: 'A', year: 2026, sequence: 1 })),
    ).toBe('kassenzeichen.invalid_format');
  });
});

describe('Kassenzeichen format: writing one', () => {
  const f = parseKassenzeichenFormat('{prefix}-{yyyy}-{seq:5}{check:luhn}');

  it('refuses a sequence that has outgrown the format instead of writing a longer reference', () => {
    expect(formatKassenzeichen(f, { prefix: 'BB1', year: 2026, sequence: 99_999 })).toMatch(/^BB1-2026-99999\d$/);
    expect(codeOf(() => formatKassenzeichen(f, { prefix: 'BB1', year: 2026, sequence: 100_000 }))).toBe('kassenzeichen.sequence_overflow');
  });

  it('refuses an office prefix, year or sequence it cannot write', () => {
    for (const parts of [
      { prefix: 'bb1', year: 2026, sequence: 1 },
      { prefix: '', year: 2026, sequence: 1 },
      { prefix: 'ABCDEFGHIJKLMNOPQ', year: 2026, sequence: 1 },
      { prefix: 'BB_1', year: 2026, sequence: 1 },
      { prefix: 'BB1', year: 26, sequence: 1 },
      { prefix: 'BB1', year: 2026, sequence: -1 },
      { prefix: 'BB1', year: 2026, sequence: 1.5 },
    ]) {
      expect(
        codeOf(() => formatKassenzeichen(f, parts)),
        JSON.stringify(parts),
      ).toBe('kassenzeichen.invalid_parts');
    }
  });

  it('splits a reference without separators even when the office prefix ends in digits', () => {
    const compact = parseKassenzeichenFormat('{prefix}{yyyy}{seq:6}{check:luhn}');
    const ref = formatKassenzeichen(compact, { prefix: 'BB12', year: 2026, sequence: 345 });
    expect(ref).toMatch(/^BB122026000345\d$/);
    expect(parseKassenzeichen(compact, ref)).toEqual({ prefix: 'BB12', year: 2026, sequence: 345 });
  });

  it('refuses values that are not in the format at all', () => {
    const ref = formatKassenzeichen(f, { prefix: 'BB1', year: 2026, sequence: 42 });
    for (const bad of [
      '',
      ref.toLowerCase(),
      ` ${ref}`,
      `${ref} `,
      `${ref}0`,
      ref.slice(0, -1),
      ref.replace('-2026-', '-26-'),
      'A'.repeat(37),
    ]) {
      expect(validateKassenzeichen(f, bad), bad).toBe(false);
    }
  });
});
