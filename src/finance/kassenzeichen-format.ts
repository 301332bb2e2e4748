/**
 * Kassenzeichen (payment references) in a format each city sets once, e.g.
 * `KASSENZEICHEN_FORMAT="{prefix}-{yyyy}-{seq:7}{check:luhn}"` (the default, and the format every
 * Kassenzeichen issued so far has). The office prefix stays per office; a city may put a fixed
 * city part in front of it.
 *
 * A Kassenzeichen ends up in DATEV's Belegfeld 1 (at most 36 characters of A–Z, 0–9 and a few
 * signs), so a format that could ever produce more than 36 characters is refused when it is read,
 * not when the ten-millionth booking is made.
 */
import { createError } from '../shared/errors.ts';

export type CheckDigitMethod = 'luhn' | 'mod11' | 'none';
export type KassenzeichenSeparator = '-' | '';

export interface KassenzeichenFormat {
  /** Fixed city part before the office prefix (`[A-Z0-9]`, up to 8), or `''` for none. */
  cityPrefix: string;
  includeYear: boolean;
  /** Digits of the zero-padded sequence number. */
  sequenceLength: number;
  /** Over the digits after the prefix (year and sequence). `mod11` writes a remainder of 10 as `X`. */
  checkDigit: CheckDigitMethod;
  /** Between city part, office prefix, year and sequence; the check digit always follows the sequence. */
  separator: KassenzeichenSeparator;
}

export interface KassenzeichenParts {
  prefix: string;
  year: number;
  sequence: number;
}

export const KASSENZEICHEN_MAX_LENGTH = 36;
export const SEQUENCE_LENGTH_MIN = 5;
export const SEQUENCE_LENGTH_MAX = 12;
export const CITY_PREFIX_MAX_LENGTH = 8;
/** The office prefix as offices are created with it (`offices.schemas.ts`). */
export const OFFICE_PREFIX_PATTERN = /^[A-Z0-9-]{1,16}$/;
export const OFFICE_PREFIX_MAX_LENGTH = 16;

export const DEFAULT_KASSENZEICHEN_TEMPLATE = '{prefix}-{yyyy}-{seq:7}{check:luhn}';

export const DEFAULT_KASSENZEICHEN_FORMAT: Readonly<KassenzeichenFormat> = Object.freeze({
  cityPrefix: '',
  includeYear: true,
  sequenceLength: 7,
  checkDigit: 'luhn',
  separator: '-',
});

/**
 * The format of every Kassenzeichen issued before formats were configurable:
 * `<prefix>-<yyyy>-<7 or more digits><Luhn digit>`. The sequence grew past 7 digits rather than
 * fail, so the old validator took any length from 7 up; here up to the 12 digits any format allows.
 */
export const LEGACY_KASSENZEICHEN_FORMATS: readonly Readonly<KassenzeichenFormat>[] = Object.freeze(
  Array.from({ length: SEQUENCE_LENGTH_MAX - 7 + 1 }, (_, i) => Object.freeze({ ...DEFAULT_KASSENZEICHEN_FORMAT, sequenceLength: 7 + i })),
);

export function createKassenzeichenFormatError(message: string) {
  return createError({ code: 'kassenzeichen.invalid_format', status: 500, message });
}

export function createKassenzeichenPartsError(message: string, details: Record<string, unknown>) {
  return createError({ code: 'kassenzeichen.invalid_parts', status: 500, message, details });
}

export function createSequenceOverflowError(sequence: number, sequenceLength: number) {
  return createError({
    code: 'kassenzeichen.sequence_overflow',
    status: 500,
    message: `Sequence ${sequence} does not fit the format's ${sequenceLength} digits; the city must lengthen its Kassenzeichen format`,
    details: { sequence, sequenceLength },
  });
}

const DIGITS = /^\d+$/;

function assertDigits(digits: string): void {
  if (!DIGITS.test(digits))
    throw createKassenzeichenPartsError('A check digit is computed over digits only', { digits: digits.slice(0, 40) });
}

/** Luhn (ISO/IEC 7812) check digit for a digit string: catches every single mistyped digit. */
export function luhnCheckDigit(digits: string): number {
  assertDigits(digits);
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
}

/**
 * Modulus 11 with weights 2, 3, 4, 5, 6, 7 (repeating) from the rightmost digit; the check value
 * is (11 − sum mod 11) mod 11, so 0–10. Writing 10 as `X` (not as 0) keeps the check one-to-one,
 * which is what makes every single mistyped digit and every swap of neighbouring digits visible.
 */
export function mod11CheckValue(digits: string): number {
  assertDigits(digits);
  let sum = 0;
  for (let i = 0; i < digits.length; i++) sum += Number(digits[digits.length - 1 - i]) * (2 + (i % 6));
  return (11 - (sum % 11)) % 11;
}

function checkCharacter(method: CheckDigitMethod, payload: string): string {
  if (method === 'luhn') return String(luhnCheckDigit(payload));
  if (method === 'mod11') {
    const value = mod11CheckValue(payload);
    return value === 10 ? 'X' : String(value);
  }
  return '';
}

/** The longest value a format can produce: with the longest office prefix. */
export function maxKassenzeichenLength(format: KassenzeichenFormat): number {
  const sep = format.separator.length;
  return (
    (format.cityPrefix ? format.cityPrefix.length + sep : 0) +
    OFFICE_PREFIX_MAX_LENGTH +
    (format.includeYear ? sep + 4 : 0) +
    sep +
    format.sequenceLength +
    (format.checkDigit === 'none' ? 0 : 1)
  );
}

/** Checks a format given as an object (from code or a parsed template); returns it unchanged. */
export function assertValidKassenzeichenFormat(format: KassenzeichenFormat, variable = 'Kassenzeichen format'): KassenzeichenFormat {
  const fail: (problem: string) => never = (problem) => {
    throw createKassenzeichenFormatError(`${variable}: ${problem}`);
  };
  if (typeof format.cityPrefix !== 'string' || !new RegExp(`^[A-Z0-9]{0,${CITY_PREFIX_MAX_LENGTH}}$`).test(format.cityPrefix)) {
    fail(`the city part must be up to ${CITY_PREFIX_MAX_LENGTH} capital letters or digits, got ${JSON.stringify(format.cityPrefix)}`);
  }
  if (typeof format.includeYear !== 'boolean') fail('includeYear must be true or false');
  if (
    !Number.isInteger(format.sequenceLength) ||
    format.sequenceLength < SEQUENCE_LENGTH_MIN ||
    format.sequenceLength > SEQUENCE_LENGTH_MAX
  ) {
    fail(
      `the sequence length must be a whole number from ${SEQUENCE_LENGTH_MIN} to ${SEQUENCE_LENGTH_MAX}, got ${String(format.sequenceLength)}`,
    );
  }
  if (!['luhn', 'mod11', 'none'].includes(format.checkDigit)) fail(`unknown check digit method ${JSON.stringify(format.checkDigit)}`);
  if (format.separator !== '-' && format.separator !== '')
    fail(`the separator must be "-" or empty, got ${JSON.stringify(format.separator)}`);
  const max = maxKassenzeichenLength(format);
  if (max > KASSENZEICHEN_MAX_LENGTH) {
    fail(
      `this format can produce ${max} characters (with a ${OFFICE_PREFIX_MAX_LENGTH}-character office prefix); ` +
        `DATEV Belegfeld 1 holds ${KASSENZEICHEN_MAX_LENGTH}`,
    );
  }
  return format;
}

type Token = { kind: 'literal'; text: string; at: number } | { kind: 'placeholder'; name: string; arg: string | undefined; at: number };

const PLACEHOLDER_HELP = 'use {prefix}, {yyyy}, {seq:N} and {check:luhn|mod11|none}';

function tokenize(template: string, fail: (problem: string) => never): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf('{', i);
    const close = template.indexOf('}', i);
    if (close !== -1 && (open === -1 || close < open)) fail(`unmatched "}" at position ${close + 1}`);
    if (open === -1) {
      tokens.push({ kind: 'literal', text: template.slice(i), at: i + 1 });
      break;
    }
    if (open > i) tokens.push({ kind: 'literal', text: template.slice(i, open), at: i + 1 });
    const end = template.indexOf('}', open);
    if (end === -1) fail(`unmatched "{" at position ${open + 1}`);
    const inner = template.slice(open + 1, end);
    if (inner.includes('{')) fail(`unmatched "{" at position ${open + 1}`);
    const colon = inner.indexOf(':');
    tokens.push({
      kind: 'placeholder',
      name: colon === -1 ? inner : inner.slice(0, colon),
      arg: colon === -1 ? undefined : inner.slice(colon + 1),
      at: open + 1,
    });
    i = end + 1;
  }
  return tokens;
}

/**
 * Reads a format template such as `{prefix}-{yyyy}-{seq:7}{check:luhn}` or
 * `S-{prefix}-{seq:9}{check:mod11}`:
 *
 *   [CITY sep] {prefix} [sep {yyyy}] sep {seq:N} [{check:luhn|mod11|none}]
 *
 * where every `sep` is the same, `-` or nothing, CITY is fixed capital letters or digits, and the
 * check digit follows the sequence directly. Throws `kassenzeichen.invalid_format` with a message
 * that starts with `variable` and names the problem.
 */
export function parseKassenzeichenFormat(template: string, variable = 'KASSENZEICHEN_FORMAT'): KassenzeichenFormat {
  const fail: (problem: string) => never = (problem) => {
    throw createKassenzeichenFormatError(`${variable}: ${problem} in ${JSON.stringify(template.slice(0, 80))}`);
  };
  if (template.trim() === '') fail('empty format; ' + PLACEHOLDER_HELP);
  const tokens = tokenize(template, fail);

  let cityPrefix = '';
  let includeYear = false;
  let sequenceLength: number | undefined;
  let checkDigit: CheckDigitMethod = 'none';
  const separators: { text: string; at: number }[] = [];
  const seen = new Set<string>();
  // What the format has reached: nothing, prefix, yyyy, seq, check. Placeholders must come in that order.
  const order = ['prefix', 'yyyy', 'seq', 'check'];
  let last: string | undefined;
  let pendingLiteral: Extract<Token, { kind: 'literal' }> | undefined;

  for (const token of tokens) {
    if (token.kind === 'literal') {
      pendingLiteral = token;
      continue;
    }
    const { name, arg, at } = token;
    if (!order.includes(name))
      fail(`unknown placeholder "{${name}${arg === undefined ? '' : `:${arg}`}}" at position ${at}; ${PLACEHOLDER_HELP}`);
    if (seen.has(name)) fail(`"{${name}}" appears twice`);
    if (last !== undefined && order.indexOf(name) < order.indexOf(last)) fail(`"{${name}}" must come before "{${last}}"`);
    const literal = pendingLiteral?.text ?? '';
    if (name === 'prefix') {
      if (literal !== '') {
        const m = /^([A-Z0-9]*)(-?)$/.exec(literal);
        if (!m || m[1] === '' || (m[1] ?? '').length > CITY_PREFIX_MAX_LENGTH) {
          fail(
            `the part before {prefix} must be a city part of 1–${CITY_PREFIX_MAX_LENGTH} capital letters or digits ` +
              `(optionally followed by the separator), got ${JSON.stringify(literal)}`,
          );
        }
        cityPrefix = m?.[1] ?? '';
        separators.push({ text: m?.[2] ?? '', at: pendingLiteral?.at ?? at });
      }
    } else {
      if (last === undefined) fail(`the format must start with {prefix} (after an optional city part), not "{${name}}"`);
      if (name === 'check') {
        if (literal !== '') fail(`the check digit must follow {seq:N} directly, found ${JSON.stringify(literal)} between them`);
        if (last !== 'seq') fail('{check:…} must follow {seq:N}');
      } else {
        separators.push({ text: literal, at: pendingLiteral?.at ?? at });
      }
    }
    if (name === 'prefix' || name === 'yyyy') {
      if (arg !== undefined) fail(`"{${name}}" takes no argument, got "{${name}:${arg}}"`);
      if (name === 'yyyy') includeYear = true;
    } else if (name === 'seq') {
      if (arg === undefined || !/^\d{1,2}$/.test(arg)) fail(`"{seq}" needs its number of digits, e.g. {seq:7}`);
      sequenceLength = Number(arg);
      if (sequenceLength < SEQUENCE_LENGTH_MIN || sequenceLength > SEQUENCE_LENGTH_MAX) {
        fail(`the sequence length ${sequenceLength} is outside ${SEQUENCE_LENGTH_MIN}–${SEQUENCE_LENGTH_MAX}`);
      }
    } else if (name === 'check') {
      if (arg !== 'luhn' && arg !== 'mod11' && arg !== 'none')
        fail(`unknown check digit method "${arg ?? ''}"; use {check:luhn}, {check:mod11} or {check:none}`);
      checkDigit = arg;
    }
    seen.add(name);
    last = name;
    pendingLiteral = undefined;
  }
  if (!seen.has('prefix')) fail('{prefix} (the office prefix) is missing');
  if (sequenceLength === undefined) fail('{seq:N} (the sequence number) is missing');
  if (pendingLiteral) fail(`unexpected ${JSON.stringify(pendingLiteral.text)} after the last placeholder`);

  for (const sep of separators) {
    if (sep.text !== '-' && sep.text !== '')
      fail(`the separator at position ${sep.at} must be "-" or nothing, got ${JSON.stringify(sep.text)}`);
  }
  const distinct = [...new Set(separators.map((s) => s.text))];
  if (distinct.length > 1) fail('separators must be all "-" or all empty, not mixed');
  const separator = (distinct[0] ?? '') as KassenzeichenSeparator;

  return assertValidKassenzeichenFormat({ cityPrefix, includeYear, sequenceLength, checkDigit, separator }, variable);
}

/** The template of a format; `parseKassenzeichenFormat(describeKassenzeichenFormat(f))` gives `f` back. */
export function describeKassenzeichenFormat(format: KassenzeichenFormat): string {
  const sep = format.separator;
  return (
    (format.cityPrefix ? `${format.cityPrefix}${sep}` : '') +
    '{prefix}' +
    (format.includeYear ? `${sep}{yyyy}` : '') +
    `${sep}{seq:${format.sequenceLength}}` +
    (format.checkDigit === 'none' ? '' : `{check:${format.checkDigit}}`)
  );
}

/**
 * The Kassenzeichen of a booking. Throws `kassenzeichen.invalid_parts` for a prefix, year or
 * sequence that cannot be written, and `kassenzeichen.sequence_overflow` when the sequence has
 * more digits than the format.
 */
export function formatKassenzeichen(format: KassenzeichenFormat, parts: KassenzeichenParts): string {
  assertValidKassenzeichenFormat(format);
  const { prefix, year, sequence } = parts;
  if (typeof prefix !== 'string' || !OFFICE_PREFIX_PATTERN.test(prefix)) {
    throw createKassenzeichenPartsError(`Office prefix must match ${OFFICE_PREFIX_PATTERN.source}`, {
      prefix: String(prefix).slice(0, 40),
    });
  }
  if (!Number.isInteger(year) || year < 1000 || year > 9999) {
    throw createKassenzeichenPartsError('Year must be a four-digit whole number', { year });
  }
  if (!Number.isSafeInteger(sequence) || sequence < 0) {
    throw createKassenzeichenPartsError('Sequence must be a non-negative whole number', { sequence });
  }
  const digits = String(sequence);
  if (digits.length > format.sequenceLength) throw createSequenceOverflowError(sequence, format.sequenceLength);
  const seq = digits.padStart(format.sequenceLength, '0');
  const payload = format.includeYear ? `${year}${seq}` : seq;
  const sep = format.separator;
  return (
    (format.cityPrefix ? `${format.cityPrefix}${sep}` : '') +
    prefix +
    (format.includeYear ? `${sep}${year}` : '') +
    `${sep}${seq}${checkCharacter(format.checkDigit, payload)}`
  );
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const matchers = new WeakMap<KassenzeichenFormat, RegExp>();

function matcherFor(format: KassenzeichenFormat): RegExp {
  let re = matchers.get(format);
  if (!re) {
    const sep = escapeRegExp(format.separator);
    const check = format.checkDigit === 'luhn' ? '(\\d)' : format.checkDigit === 'mod11' ? '([0-9X])' : '()';
    // The office prefix may contain the separator and end in digits; the year, sequence and
    // check digit have fixed lengths, so anchoring at the end splits every value one way only.
    re = new RegExp(
      `^${format.cityPrefix ? `${format.cityPrefix}${sep}` : ''}([A-Z0-9-]{1,${OFFICE_PREFIX_MAX_LENGTH}})` +
        (format.includeYear ? `${sep}(\\d{4})` : '()') +
        `${sep}(\\d{${format.sequenceLength}})${check}$`,
    );
    matchers.set(format, re);
  }
  return re;
}

/** The parts of a Kassenzeichen in this format, or `null` when it is not one (wrong shape or check digit). */
export function parseKassenzeichen(
  format: KassenzeichenFormat,
  value: string,
): { prefix: string; year: number | null; sequence: number } | null {
  // No format produces more than 36 characters (assertValidKassenzeichenFormat), legacy ones included.
  if (typeof value !== 'string' || value.length > KASSENZEICHEN_MAX_LENGTH) return null;
  const m = matcherFor(format).exec(value);
  if (!m) return null;
  const [, prefix = '', year = '', seq = '', check = ''] = m;
  if (checkCharacter(format.checkDigit, `${year}${seq}`) !== check) return null;
  return { prefix, year: format.includeYear ? Number(year) : null, sequence: Number(seq) };
}

export function validateKassenzeichen(format: KassenzeichenFormat, value: string): boolean {
  return parseKassenzeichen(format, value) !== null;
}

/**
 * Valid in one of the given formats (the city's current one and any it used before) or in the
 * legacy format, so references already on citizens' receipts keep validating after a city
 * changes its format.
 */
export function isValidKassenzeichenAnyFormat(value: string, formats: readonly KassenzeichenFormat[] = []): boolean {
  return formats.some((f) => validateKassenzeichen(f, value)) || LEGACY_KASSENZEICHEN_FORMATS.some((f) => validateKassenzeichen(f, value));
}
