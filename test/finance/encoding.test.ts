import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeText, encodeText } from '../../src/finance/encoding.ts';
import { AppError } from '../../src/shared/errors.ts';

const UNASSIGNED = [0x81, 0x8d, 0x8f, 0x90, 0x9d];
const ASSIGNED = Array.from({ length: 256 }, (_, b) => b).filter((b) => !UNASSIGNED.includes(b));

function errorOf(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected an AppError');
}

describe('Windows-1252', () => {
  it('reads bytes 0x80–0x9F as Python’s cp1252 codec does, and every other byte as Latin-1', () => {
    // Python 3: bytes(range(0x80, 0xa0)).decode('cp1252', errors='replace'), FFFD = unassigned.
    // (Node 20's TextDecoder('windows-1252') is no oracle: it decodes these bytes as Latin-1.)
    const python =
      '20AC FFFD 201A 0192 201E 2026 2020 2021 02C6 2030 0160 2039 0152 FFFD 017D FFFD FFFD 2018 2019 201C 201D 2022 2013 2014 02DC 2122 0161 203A 0153 FFFD 017E 0178';
    const expected = python.split(' ').map((hex) => Number.parseInt(hex, 16));
    for (const b of ASSIGNED) {
      const codePoint = b >= 0x80 && b <= 0x9f ? expected[b - 0x80] : b;
      expect(decodeText(Uint8Array.from([b]), 'windows-1252').codePointAt(0), `byte 0x${b.toString(16)}`).toBe(codePoint);
    }
    expect(UNASSIGNED.every((b) => expected[b - 0x80] === 0xfffd)).toBe(true);
  });

  it('writes back every character it can read, byte for byte', () => {
    const bytes = Buffer.from(ASSIGNED);
    expect(encodeText(decodeText(bytes, 'windows-1252'), 'windows-1252').equals(bytes)).toBe(true);
  });

  it('keeps umlauts, ß and the euro sign as their single bytes', () => {
    expect([...encodeText('äöüßÄÖÜ€', 'windows-1252')]).toEqual([0xe4, 0xf6, 0xfc, 0xdf, 0xc4, 0xd6, 0xdc, 0x80]);
    expect([...encodeText('„Zustellung“ – Gebühr', 'windows-1252')].slice(0, 1)).toEqual([0x84]);
  });

  it('refuses a character it cannot hold, naming it and where it is', () => {
    const err = errorOf(() => encodeText('Łódź', 'windows-1252'));
    expect(err.code).toBe('finance.unmappable_character');
    expect(err.message).toBe('Character U+0141 at position 0 cannot be written in windows-1252');
    expect(errorOf(() => encodeText('ab😀', 'windows-1252')).details).toMatchObject({ codePoint: 0x1f600, index: 2 });
  });

  it('or writes ? for it when asked, one ? per character even outside the BMP', () => {
    expect(encodeText('Łódź 😀!', 'windows-1252', 'replace').toString('latin1')).toBe('?ód? ?!');
  });

  it('refuses the five unassigned bytes when reading', () => {
    for (const b of UNASSIGNED) {
      expect(errorOf(() => decodeText(Uint8Array.from([0x41, b]), 'windows-1252')).code).toBe('finance.undecodable_text');
    }
  });
});

describe('UTF-8 with byte order mark', () => {
  it('starts with the BOM and reads back any text', () => {
    expect([...encodeText('', 'utf-8-bom')]).toEqual([0xef, 0xbb, 0xbf]);
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => {
        expect(decodeText(encodeText(text, 'utf-8-bom'), 'utf-8-bom')).toBe(text);
      }),
    );
  });

  it('refuses half a surrogate pair instead of writing U+FFFD, or replaces it when asked', () => {
    expect(errorOf(() => encodeText('a\ud800b', 'utf-8-bom')).code).toBe('finance.unmappable_character');
    expect(decodeText(encodeText('a\ud800b', 'utf-8-bom', 'replace'), 'utf-8-bom')).toBe('a?b');
  });

  it('refuses a file without BOM or with invalid UTF-8', () => {
    expect(errorOf(() => decodeText(Buffer.from('abc'), 'utf-8-bom')).code).toBe('finance.undecodable_text');
    expect(errorOf(() => decodeText(Uint8Array.from([0xef, 0xbb, 0xbf, 0xc3]), 'utf-8-bom')).code).toBe('finance.undecodable_text');
  });
});
