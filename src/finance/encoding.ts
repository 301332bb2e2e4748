/**
 * Text to bytes for files that German accounting software imports: UTF-8 with a byte order mark
 * (how Excel recognises UTF-8) or Windows-1252 (what DATEV and older tools read by default).
 * Node has a Windows-1252 decoder but no encoder, so both directions live here, from one table.
 */
import { createError } from '../shared/errors.ts';

export type TextEncodingName = 'utf-8-bom' | 'windows-1252';

/** What to do with a character the encoding cannot hold: refuse the file, or write `?`. */
export type UnmappablePolicy = 'error' | 'replace';

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * Bytes 0x80–0x9F of Windows-1252; everything else below 0x100 is Latin-1 (byte = code point).
 * The five holes (0x81, 0x8D, 0x8F, 0x90, 0x9D) have no character.
 */
const HIGH_CONTROLS: readonly (number | null)[] = [
  0x20ac,
  null,
  0x201a,
  0x0192,
  0x201e,
  0x2026,
  0x2020,
  0x2021,
  0x02c6,
  0x2030,
  0x0160,
  0x2039,
  0x0152,
  null,
  0x017d,
  null,
  null,
  0x2018,
  0x2019,
  0x201c,
  0x201d,
  0x2022,
  0x2013,
  0x2014,
  0x02dc,
  0x2122,
  0x0161,
  0x203a,
  0x0153,
  null,
  0x017e,
  0x0178,
];

const CODE_POINT_TO_BYTE = new Map<number, number>();
HIGH_CONTROLS.forEach((codePoint, i) => {
  if (codePoint !== null) CODE_POINT_TO_BYTE.set(codePoint, 0x80 + i);
});

function windows1252Byte(codePoint: number): number | undefined {
  if (codePoint < 0x80 || (codePoint >= 0xa0 && codePoint <= 0xff)) return codePoint;
  return CODE_POINT_TO_BYTE.get(codePoint);
}

export function createUnmappableCharacterError(char: string, index: number, encoding: TextEncodingName) {
  const codePoint = char.codePointAt(0) ?? 0;
  const hex = codePoint.toString(16).toUpperCase().padStart(4, '0');
  return createError({
    code: 'finance.unmappable_character',
    status: 422,
    message: `Character U+${hex} at position ${index} cannot be written in ${encoding}`,
    details: { codePoint, index, encoding },
  });
}

// A lone surrogate is half of a character: no encoding can hold it, and UTF-8 would silently
// turn it into U+FFFD.
const LONE_SURROGATE = /\p{Cs}/u;

export function encodeText(text: string, encoding: TextEncodingName, onUnmappable: UnmappablePolicy = 'error'): Buffer {
  if (encoding === 'utf-8-bom') {
    let clean = text;
    if (LONE_SURROGATE.test(text)) {
      if (onUnmappable === 'error') {
        const index = text.search(LONE_SURROGATE);
        throw createUnmappableCharacterError(text.charAt(index), index, encoding);
      }
      clean = text.replace(/\p{Cs}/gu, '?');
    }
    return Buffer.concat([UTF8_BOM, Buffer.from(clean, 'utf8')]);
  }
  const bytes: number[] = [];
  let index = 0;
  // for…of walks code points, so a character outside the BMP becomes one `?`, not two.
  for (const char of text) {
    const byte = windows1252Byte(char.codePointAt(0) ?? 0);
    if (byte === undefined) {
      if (onUnmappable === 'error') throw createUnmappableCharacterError(char, index, encoding);
      bytes.push(0x3f);
    } else {
      bytes.push(byte);
    }
    index += char.length;
  }
  return Buffer.from(bytes);
}

export function createUndecodableTextError(message: string, encoding: TextEncodingName) {
  return createError({ code: 'finance.undecodable_text', status: 422, message, details: { encoding } });
}

/**
 * Bytes back to text. Strict, because it reads our own files back in tests: a UTF-8 file must
 * start with its BOM and be valid UTF-8; a Windows-1252 file must not use the five unassigned bytes.
 */
export function decodeText(bytes: Uint8Array, encoding: TextEncodingName): string {
  if (encoding === 'utf-8-bom') {
    if (bytes.length < 3 || bytes[0] !== 0xef || bytes[1] !== 0xbb || bytes[2] !== 0xbf) {
      throw createUndecodableTextError('UTF-8 file does not start with a byte order mark', encoding);
    }
    try {
      return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes.subarray(3));
    } catch {
      throw createUndecodableTextError('File is not valid UTF-8', encoding);
    }
  }
  let text = '';
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i] ?? 0;
    const codePoint = byte >= 0x80 && byte <= 0x9f ? HIGH_CONTROLS[byte - 0x80] : byte;
    if (codePoint === null || codePoint === undefined) {
      throw createUndecodableTextError(`Byte 0x${byte.toString(16).toUpperCase()} at offset ${i} is unassigned in Windows-1252`, encoding);
    }
    text += String.fromCodePoint(codePoint);
  }
  return text;
}
