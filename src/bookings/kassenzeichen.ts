/**
 * Kassenzeichen: `<office prefix>-<year>-<sequence><check digit>`. The check digit (Luhn over the
 * digits) lets finance staff catch a mistyped reference before it reaches the accounting system.
 *
 * The rules live in `finance/kassenzeichen-format.ts`, where a city may configure another format;
 * these functions are the default (legacy) format, kept for their callers.
 */
import {
  DEFAULT_KASSENZEICHEN_FORMAT,
  LEGACY_KASSENZEICHEN_FORMATS,
  SEQUENCE_LENGTH_MAX,
  createSequenceOverflowError,
  formatKassenzeichen as formatInFormat,
  luhnCheckDigit,
  validateKassenzeichen,
} from '../finance/kassenzeichen-format.ts';

export function formatKassenzeichen(prefix: string, year: number, sequence: number): string {
  // The default format's sequence has always grown past 7 digits rather than fail.
  const digits = Math.max(DEFAULT_KASSENZEICHEN_FORMAT.sequenceLength, String(sequence).length);
  if (Number.isSafeInteger(sequence) && digits > SEQUENCE_LENGTH_MAX) throw createSequenceOverflowError(sequence, SEQUENCE_LENGTH_MAX);
  const sequenceLength = Math.min(digits, SEQUENCE_LENGTH_MAX);
  return formatInFormat({ ...DEFAULT_KASSENZEICHEN_FORMAT, sequenceLength }, { prefix, year, sequence });
}

export function luhnDigit(digits: string): number {
  return luhnCheckDigit(digits);
}

export function isValidKassenzeichen(value: string): boolean {
  return LEGACY_KASSENZEICHEN_FORMATS.some((format) => validateKassenzeichen(format, value));
}
