import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCsv, parseCsvText, toCsv, type CsvColumn } from '../../src/finance/csv.ts';
import type { TextEncodingName } from '../../src/finance/encoding.ts';
import { AppError } from '../../src/shared/errors.ts';

const ENCODINGS: TextEncodingName[] = ['utf-8-bom', 'windows-1252'];
const ZONE = 'Europe/Berlin';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return err.code;
    throw err;
  }
  return undefined;
}

/** `-1234,56` → -123456n, written independently of the code under test. */
function euroToCents(text: string): bigint {
  const m = /^(-?)(\d+),(\d{2})$/.exec(text);
  if (!m) throw new Error(`not a euro amount: ${text}`);
  const cents = BigInt(m[2] ?? '') * 100n + BigInt(m[3] ?? '');
  return m[1] === '-' ? -cents : cents;
}

interface Payment {
  kassenzeichen: string;
  amountCents: number | bigint | null;
}

const paymentColumns: CsvColumn<Payment>[] = [
  { key: 'kassenzeichen', header: 'Kassenzeichen', kind: 'text' },
  { key: 'amountCents', header: 'Betrag (EUR)', kind: 'cents-as-euro' },
];

describe('CSV: amounts', () => {
  it('writes cents as euros with a decimal comma', () => {
    const rows = [1234, -1234, 1, -1, 0, -5, 100, 123456789].map((amountCents) => ({ kassenzeichen: 'K', amountCents }));
    const parsed = parseCsv(toCsv(paymentColumns, rows), 'utf-8-bom');
    expect(parsed.slice(1).map((r) => r[1])).toEqual(['12,34', '-12,34', '0,01', '-0,01', '0,00', '-0,05', '1,00', '1234567,89']);
  });

  it('round-trips to the cent, negative, tiny and beyond 2^53, in both encodings', () => {
    const cents = fc.oneof(
      fc.integer({ min: -1000, max: 1000 }),
      fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
      fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }),
    );
    fc.assert(
      fc.property(fc.array(cents, { maxLength: 20 }), fc.constantFrom(...ENCODINGS), (amounts, encoding) => {
        const rows = amounts.map((amountCents, i) => ({ kassenzeichen: `K${i}`, amountCents }));
        const parsed = parseCsv(toCsv(paymentColumns, rows, { encoding }), encoding);
        expect(parsed).toHaveLength(amounts.length + 1);
        parsed.slice(1).forEach((r, i) => expect(euroToCents(r[1] ?? '')).toBe(BigInt(amounts[i] ?? 0)));
      }),
    );
  });

  it('plain cents and integers stay integers, and an empty value stays empty', () => {
    const columns: CsvColumn<{ a: number | null; b: bigint; c: number | undefined }>[] = [
      { key: 'a', header: 'a', kind: 'cents' },
      { key: 'b', header: 'b', kind: 'integer' },
      { key: 'c', header: 'c', kind: 'cents-as-euro' },
    ];
    const parsed = parseCsv(
      toCsv(columns, [
        { a: -1234, b: 2n ** 70n, c: undefined },
        { a: null, b: 0n, c: 5 },
      ]),
      'utf-8-bom',
    );
    expect(parsed.slice(1)).toEqual([
      ['-1234', String(2n ** 70n), ''],
      ['', '0', '0,05'],
    ]);
  });

  it('refuses amounts that are not whole cents', () => {
    for (const amountCents of [12.5, Number.NaN, Number.MAX_SAFE_INTEGER + 1, '12,34'] as unknown[]) {
      expect(codeOf(() => toCsv(paymentColumns, [{ kassenzeichen: 'K', amountCents } as Payment]))).toBe('finance.csv_invalid_value');
    }
  });
});

describe('CSV: file shape', () => {
  it('is semicolon-separated with CRLF line ends and a UTF-8 BOM by default', () => {
    const bytes = toCsv(paymentColumns, [{ kassenzeichen: 'STR-BBM-2026-00000420', amountCents: 990 }]);
    const expected = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from('Kassenzeichen;Betrag (EUR)\r\nSTR-BBM-2026-00000420;9,90\r\n', 'utf8'),
    ]);
    expect(bytes.equals(expected)).toBe(true);
  });

  it('quotes fields with separator, quotes or line breaks (RFC 4180) and reads them back', () => {
    const rows = [
      { kassenzeichen: 'a;b', amountCents: 1 },
      { kassenzeichen: 'Sie sagte "ja"', amountCents: 2 },
      { kassenzeichen: 'Zeile 1\r\nZeile 2\nZeile 3', amountCents: 3 },
    ];
    const bytes = toCsv(paymentColumns, rows, { encoding: 'windows-1252' });
    expect(bytes.toString('latin1')).toBe(
      'Kassenzeichen;Betrag (EUR)\r\n"a;b";0,01\r\n"Sie sagte ""ja""";0,02\r\n"Zeile 1\r\nZeile 2\nZeile 3";0,03\r\n',
    );
    expect(parseCsv(bytes, 'windows-1252').slice(1)).toEqual([
      ['a;b', '0,01'],
      ['Sie sagte "ja"', '0,02'],
      ['Zeile 1\r\nZeile 2\nZeile 3', '0,03'],
    ]);
  });

  it('any text survives the round trip in UTF-8, and any Windows-1252 text in Windows-1252', () => {
    const special = fc.constantFrom(';', '"', '\r', '\n', '\r\n', 'ä', 'ö', 'ü', 'ß', 'Ä', 'Ö', 'Ü', '€', '„', '“', ' ', '=');
    const textIn1252 = fc
      .array(
        fc.oneof(
          special,
          fc.string({ maxLength: 3 }).filter((s) => /^[\x20-\x7e]*$/.test(s)),
        ),
      )
      .map((p) => p.join(''));
    const unicodeText = fc.array(fc.oneof(special, fc.string({ unit: 'grapheme', maxLength: 3 }))).map((p) => p.join(''));
    const neutralised = (s: string) => (/^[=+\-@\t\r]/.test(s) ? `'${s}` : s);
    for (const [encoding, text] of [
      ['windows-1252', textIn1252],
      ['utf-8-bom', unicodeText],
    ] as const) {
      fc.assert(
        fc.property(fc.array(text, { maxLength: 8 }), (texts) => {
          const rows = texts.map((kassenzeichen) => ({ kassenzeichen, amountCents: 1 }));
          const parsed = parseCsv(toCsv(paymentColumns, rows, { encoding }), encoding);
          expect(parsed.slice(1).map((r) => r[0])).toEqual(texts.map(neutralised));
        }),
      );
    }
  });

  it('keeps umlauts and € in both encodings', () => {
    const rows = [{ kassenzeichen: 'Bürgerbüro Süd – Gebühr 5 € (Straße, ÄÖÜ)', amountCents: 500 }];
    for (const encoding of ENCODINGS) {
      expect(parseCsv(toCsv(paymentColumns, rows, { encoding }), encoding)[1]?.[0]).toBe('Bürgerbüro Süd – Gebühr 5 € (Straße, ÄÖÜ)');
    }
    const bytes = toCsv(paymentColumns, [{ kassenzeichen: 'ä€', amountCents: 1 }], { encoding: 'windows-1252' });
    expect(bytes.includes(Buffer.from([0xe4, 0x80]))).toBe(true);
  });

  it('refuses text Windows-1252 cannot hold, or writes ? when asked', () => {
    const rows = [{ kassenzeichen: 'Łódź', amountCents: 1 }];
    expect(codeOf(() => toCsv(paymentColumns, rows, { encoding: 'windows-1252' }))).toBe('finance.unmappable_character');
    const replaced = toCsv(paymentColumns, rows, { encoding: 'windows-1252', onUnmappable: 'replace' });
    expect(parseCsv(replaced, 'windows-1252')[1]?.[0]).toBe('?ód?');
  });

  it('has only the header line for no rows', () => {
    expect(parseCsv(toCsv(paymentColumns, []), 'utf-8-bom')).toEqual([['Kassenzeichen', 'Betrag (EUR)']]);
  });
});

describe('CSV: formula injection', () => {
  it('a text cell a spreadsheet would evaluate gets a leading apostrophe', () => {
    const texts = ['=HYPERLINK("http://evil")', '+49 711 123', '-5', '@SUM(A1)', '\tTab', '\rCR', 'harmless', 'a=b', ' =x'];
    const rows = texts.map((kassenzeichen) => ({ kassenzeichen, amountCents: -1234 }));
    const parsed = parseCsv(toCsv(paymentColumns, rows), 'utf-8-bom').slice(1);
    expect(parsed.map((r) => r[0])).toEqual([
      `'=HYPERLINK("http://evil")`,
      `'+49 711 123`,
      `'-5`,
      `'@SUM(A1)`,
      `'\tTab`,
      `'\rCR`,
      'harmless',
      'a=b',
      ' =x',
    ]);
  });

  it('but a negative amount stays a number', () => {
    const parsed = parseCsv(toCsv(paymentColumns, [{ kassenzeichen: 'K', amountCents: -1234 }]), 'utf-8-bom');
    expect(parsed[1]?.[1]).toBe('-12,34');
  });
});

describe('CSV: dates in the office timezone', () => {
  interface Row {
    at: Date | string | null;
  }
  const dateColumn: CsvColumn<Row>[] = [{ key: 'at', header: 'Datum', kind: 'date' }];
  const dateTimeColumn: CsvColumn<Row>[] = [{ key: 'at', header: 'Zeitpunkt', kind: 'datetime' }];
  const cell = (columns: CsvColumn<Row>[], at: Row['at'], timeZone = ZONE) =>
    parseCsv(toCsv(columns, [{ at }], { timeZone }), 'utf-8-bom')[1]?.[0];

  it('a payment late on New Year’s Eve UTC belongs to the next day in Stuttgart', () => {
    expect(cell(dateColumn, new Date('2025-12-31T23:30:00Z'))).toBe('01.01.2026');
    expect(cell(dateColumn, new Date('2025-12-31T23:30:00Z'), 'UTC')).toBe('31.12.2025');
    expect(cell(dateColumn, new Date('2025-03-30T22:30:00Z'))).toBe('31.03.2025'); // summer time, +2
  });

  it('a calendar date is written as it is, in no timezone', () => {
    expect(cell(dateColumn, '2024-02-29')).toBe('29.02.2024');
    expect(cell(dateColumn, null)).toBe('');
  });

  it('writes wall-clock times, across the switch back from summer time', () => {
    expect(cell(dateTimeColumn, new Date('2025-10-26T00:59:59Z'))).toBe('26.10.2025 02:59:59');
    expect(cell(dateTimeColumn, new Date('2025-10-26T01:00:00Z'))).toBe('26.10.2025 02:00:00');
    expect(cell(dateTimeColumn, new Date('2026-01-05T08:07:06.999Z'))).toBe('05.01.2026 09:07:06');
  });

  it('refuses date columns without a valid timezone, and values that are not dates', () => {
    expect(codeOf(() => toCsv(dateColumn, [], {}))).toBe('finance.csv_invalid_options');
    expect(codeOf(() => toCsv(dateColumn, [], { timeZone: 'Europe/Stuttgart' }))).toBe('finance.csv_invalid_options');
    for (const at of ['2025-02-30', '30.01.2025', new Date('nonsense')]) {
      expect(codeOf(() => toCsv(dateColumn, [{ at }], { timeZone: ZONE }))).toBe('finance.csv_invalid_value');
    }
    expect(codeOf(() => toCsv(dateTimeColumn, [{ at: '2025-01-01' }], { timeZone: ZONE }))).toBe('finance.csv_invalid_value');
  });

  it('names row and column of a bad value', () => {
    expect(() =>
      toCsv(paymentColumns, [
        { kassenzeichen: 'K', amountCents: 1 },
        { kassenzeichen: 7 as unknown as string, amountCents: 1 },
      ]),
    ).toThrow('Row 2, column "kassenzeichen": expected a string, got number');
  });
});

describe('CSV: reading', () => {
  it('reads LF files, empty fields and empty lines', () => {
    expect(parseCsvText('a;;c\n\n"";x\n')).toEqual([['a', '', 'c'], [''], ['', 'x']]);
    expect(parseCsvText('a;b')).toEqual([['a', 'b']]);
    expect(parseCsvText('')).toEqual([]);
    expect(parseCsvText('a;\r\n')).toEqual([['a', '']]);
  });

  it('refuses broken quoting', () => {
    expect(codeOf(() => parseCsvText('"abc;d\r\n'))).toBe('finance.csv_unparsable');
    expect(codeOf(() => parseCsvText('"abc"d;e'))).toBe('finance.csv_unparsable');
    expect(codeOf(() => parseCsvText('ab"c;d'))).toBe('finance.csv_unparsable');
    expect(codeOf(() => parseCsvText('a\rb'))).toBe('finance.csv_unparsable');
  });
});
