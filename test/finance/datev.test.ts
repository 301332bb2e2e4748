import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCsvText } from '../../src/finance/csv.ts';
import {
  BUCHUNGSSTAPEL_COLUMNS,
  parseDatev,
  toDatevBuchungsstapel,
  type DatevBuchungsstapelInput,
  type DatevHeaderInput,
  type DatevRecordInput,
} from '../../src/finance/datev.ts';
import { decodeText, type TextEncodingName } from '../../src/finance/encoding.ts';
import { DEFAULT_KASSENZEICHEN_FORMAT, formatKassenzeichen } from '../../src/finance/kassenzeichen-format.ts';
import { AppError } from '../../src/shared/errors.ts';

const header: DatevHeaderInput = {
  consultantNumber: 1234567,
  clientNumber: 12345,
  fiscalYearStart: '2026-01-01',
  accountLength: 4,
  from: '2026-01-01',
  to: '2026-01-31',
  description: 'Zustellungen Januar',
  createdAt: new Date('2026-01-15T09:30:05.123Z'),
};

const record: DatevRecordInput = {
  amountCents: 1234,
  account: '1200',
  contraAccount: '8400',
  date: '2026-01-15',
  documentField1: 'STR-BBM-2026-00000420',
  text: 'Zustellung Ausweisdokument',
};

function errorOf(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected an AppError');
}

function lines(bytes: Buffer, encoding: TextEncodingName = 'windows-1252'): string[] {
  return decodeText(bytes, encoding).split('\r\n');
}

describe('DATEV Buchungsstapel: header', () => {
  it('line 1 has the 31 EXTF fields with the batch’s values, Erzeugt am in German time', () => {
    const [first] = lines(toDatevBuchungsstapel({ header, records: [record] }));
    expect(first).toBe(
      '"EXTF";700;21;"Buchungsstapel";13;20260115103005123;;"";"";"";1234567;12345;20260101;4;20260101;20260131;' +
        '"Zustellungen Januar";"";1;0;0;"EUR";;"";;;"";;;"";""',
    );
    const parsed = parseDatev(toDatevBuchungsstapel({ header, records: [record] })).header;
    expect(parsed.fields).toHaveLength(31);
    expect(parsed).toMatchObject({
      kennzeichen: 'EXTF',
      version: 700,
      category: 21,
      formatName: 'Buchungsstapel',
      formatVersion: 13,
      createdAt: '20260115103005123',
      consultantNumber: 1234567,
      clientNumber: 12345,
      fiscalYearStart: '2026-01-01',
      accountLength: 4,
      from: '2026-01-01',
      to: '2026-01-31',
      description: 'Zustellungen Januar',
      lock: false,
      currency: 'EUR',
      chartOfAccounts: '',
    });
  });

  it('writes Erzeugt am in summer time, and the optional user, chart of accounts and lock', () => {
    const summer = { ...header, from: '2026-07-01', to: '2026-07-31', createdAt: new Date('2026-07-01T22:00:00.007Z') };
    const withExtras = { ...summer, exportedBy: 'Kämmerei Müller', chartOfAccounts: '03', lock: true };
    const parsed = parseDatev(toDatevBuchungsstapel({ header: withExtras, records: [{ ...record, date: '2026-07-15' }] })).header;
    expect(parsed.createdAt).toBe('20260702000000007');
    expect(parsed).toMatchObject({ exportedBy: 'Kämmerei Müller', chartOfAccounts: '03', lock: true });
    expect(parsed.fields[20]).toBe('1'); // field 21 Festschreibung
  });

  it('line 2 names the 125 columns of format version 13 in DATEV’s order', () => {
    const columns = parseDatev(toDatevBuchungsstapel({ header, records: [] })).columns;
    expect(columns).toHaveLength(125);
    expect(columns).toEqual([...BUCHUNGSSTAPEL_COLUMNS]);
    expect(columns.slice(0, 14)).toEqual([
      'Umsatz (ohne Soll/Haben-Kz)',
      'Soll/Haben-Kennzeichen',
      'WKZ Umsatz',
      'Kurs',
      'Basis-Umsatz',
      'WKZ Basis-Umsatz',
      'Konto',
      'Gegenkonto (ohne BU-Schlüssel)',
      'BU-Schlüssel',
      'Belegdatum',
      'Belegfeld 1',
      'Belegfeld 2',
      'Skonto',
      'Buchungstext',
    ]);
    // Spot checks by DATEV's 1-based field numbers.
    expect(columns[21 - 1]).toBe('Beleginfo - Art 1');
    expect(columns[36 - 1]).toBe('Beleginfo - Inhalt 8');
    expect(columns[37 - 1]).toBe('KOST1 - Kostenstelle');
    expect(columns[48 - 1]).toBe('Zusatzinformation - Art 1');
    expect(columns[87 - 1]).toBe('Zusatzinformation- Inhalt 20');
    expect(columns[88 - 1]).toBe('Stück');
    expect(columns[114 - 1]).toBe('Festschreibung');
    expect(columns[118 - 1]).toBe('Generalumkehr (GU)');
    expect(columns[125 - 1]).toBe('Abw. Skontokonto');
  });
});

describe('DATEV Buchungsstapel: bookings', () => {
  it('one line per booking: positive amount with comma, side, EUR, accounts, DDMM, Kassenzeichen, text in quotes', () => {
    const bytes = toDatevBuchungsstapel({
      header,
      records: [record, { ...record, amountCents: -1, documentField2: '150126', costCentre: 'BB1', text: 'Erstattung Gebühr' }],
    });
    const [, , first, second, end] = lines(bytes);
    const empty = (n: number) => ';'.repeat(n);
    expect(first).toBe(`12,34;"S";"EUR";;;;1200;8400;;1501;"STR-BBM-2026-00000420";;;"Zustellung Ausweisdokument"${empty(111)}`);
    expect(second).toBe(
      `0,01;"H";"EUR";;;;1200;8400;;1501;"STR-BBM-2026-00000420";"150126";;"Erstattung Gebühr"${empty(23)}"BB1"${empty(88)}`,
    );
    expect(end).toBe(''); // the file ends with CRLF
    expect(parseCsvText(first ?? '', ';')).toEqual([expect.any(Array)]);
    expect(parseCsvText(first ?? '', ';')[0]).toHaveLength(125);
    expect(parseCsvText(second ?? '', ';')[0]).toHaveLength(125);
  });

  it('takes the side as given when it is given', () => {
    const [parsed] = parseDatev(toDatevBuchungsstapel({ header, records: [{ ...record, debitCredit: 'H' }] })).records;
    expect(parsed).toMatchObject({ amountCents: 1234, debitCredit: 'H', signedAmountCents: -1234 });
  });

  it('round-trips every booking to the cent, with Kassenzeichen, umlauts and € in both encodings', () => {
    const germanText = fc.array(fc.constantFrom(...'abcXYZ 019-.,;:/()äöüßÄÖÜ€„“–'), { maxLength: 60 }).map((chars) => chars.join(''));
    const amount = fc.oneof(
      fc.constantFrom(1, -1, 99, -100, 999_999_999_999, -999_999_999_999),
      fc.integer({ min: -999_999_999_999, max: 999_999_999_999 }).filter((n) => n !== 0),
    );
    const booking = fc.record({
      amountCents: amount,
      account: fc.stringMatching(/^[1-9]\d{3,4}$/),
      contraAccount: fc.stringMatching(/^[1-9]\d{3,4}$/),
      day: fc.integer({ min: 1, max: 31 }),
      sequence: fc.integer({ min: 1, max: 9_999_999 }),
      text: germanText,
      costCentre: fc.option(fc.stringMatching(/^[A-Za-z0-9_ ]{1,36}$/), { nil: undefined }),
    });
    fc.assert(
      fc.property(
        fc.array(booking, { maxLength: 15 }),
        fc.constantFrom<TextEncodingName>('windows-1252', 'utf-8-bom'),
        (bookings, encoding) => {
          const records = bookings
            .filter((b) => b.account !== b.contraAccount)
            .map((b) => ({
              amountCents: b.amountCents,
              account: b.account,
              contraAccount: b.contraAccount,
              date: `2026-01-${String(b.day).padStart(2, '0')}`,
              documentField1: formatKassenzeichen(DEFAULT_KASSENZEICHEN_FORMAT, { prefix: 'STR-BBM', year: 2026, sequence: b.sequence }),
              text: b.text,
              costCentre: b.costCentre,
            }));
          const parsed = parseDatev(toDatevBuchungsstapel({ header, records }, { encoding }), encoding);
          expect(parsed.records).toHaveLength(records.length);
          parsed.records.forEach((p, i) => {
            const r = records[i];
            if (!r) throw new Error('record missing');
            expect(p.signedAmountCents).toBe(r.amountCents);
            expect(p.amountCents).toBe(Math.abs(r.amountCents));
            expect(p).toMatchObject({
              currency: 'EUR',
              account: r.account,
              contraAccount: r.contraAccount,
              date: r.date,
              documentField1: r.documentField1,
              text: r.text,
              costCentre: r.costCentre ?? '',
            });
            expect(p.fields).toHaveLength(125);
          });
        },
      ),
      { numRuns: 200 },
    );
  });

  it('is Windows-1252 without BOM by default, UTF-8 with BOM on request', () => {
    const input = { header, records: [{ ...record, text: 'Gebühr 5 €' }] };
    const ansi = toDatevBuchungsstapel(input);
    expect(ansi.subarray(0, 6).toString('latin1')).toBe('"EXTF"');
    expect(ansi.includes(Buffer.from([0x47, 0x65, 0x62, 0xfc, 0x68, 0x72, 0x20, 0x35, 0x20, 0x80]))).toBe(true); // Gebühr 5 €
    const utf8 = toDatevBuchungsstapel(input, { encoding: 'utf-8-bom' });
    expect([...utf8.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(parseDatev(utf8, 'utf-8-bom').records[0]?.text).toBe('Gebühr 5 €');
  });
});

describe('DATEV Buchungsstapel: refused input', () => {
  const refused = (input: DatevBuchungsstapelInput, options = {}) => {
    const err = errorOf(() => toDatevBuchungsstapel(input, options));
    expect(err.code).toBe('finance.datev_invalid_input');
    return err;
  };

  it.each<[string, Partial<DatevHeaderInput>, RegExp]>([
    [
      'a Beraternummer below 1001',
      { consultantNumber: 1000 },
      /Beraternummer \(consultantNumber\) must be a whole number from 1001 to 9999999/,
    ],
    ['a Mandantennummer of 0', { clientNumber: 0 }, /Mandantennummer \(clientNumber\) must be a whole number from 1 to 99999/],
    ['an account length of 9', { accountLength: 9 }, /Sachkontenlänge \(accountLength\) must be a whole number from 4 to 8/],
    [
      'a period that ends before it starts',
      { from: '2026-01-31', to: '2026-01-01' },
      /Datum bis 2026-01-01 is before Datum vom 2026-01-31/,
    ],
    ['a period across New Year', { fiscalYearStart: '2025-07-01', from: '2025-12-01', to: '2026-01-31' }, /crosses a calendar year/],
    [
      'a period before the fiscal year',
      { fiscalYearStart: '2026-02-01' },
      /Datum vom 2026-01-01 is before the fiscal year start 2026-02-01/,
    ],
    [
      'a period past the fiscal year',
      { fiscalYearStart: '2025-01-20' },
      /Datum bis 2026-01-31 is after the fiscal year's last day 2026-01-19/,
    ],
    ['an impossible date', { to: '2026-02-30' }, /Datum bis \(to\) "2026-02-30" must be a YYYY-MM-DD date/],
    [
      'a description over 30 characters',
      { description: 'Zustellungen Januar 2026 Stadt X' },
      /Bezeichnung \(description\) has 32 characters, at most 30/,
    ],
    ['a chart of accounts that is not two digits', { chartOfAccounts: 'SKR03' }, /Sachkontenrahmen \(chartOfAccounts\) must be two digits/],
    ['an invalid creation time', { createdAt: new Date('x') }, /Erzeugt am \(createdAt\) must be a valid Date/],
  ])('refuses %s', (_, change, message) => {
    expect(refused({ header: { ...header, ...change }, records: [record] }).message).toMatch(message);
  });

  it('a fiscal year from July ends on 30 June: a June batch is fine, one reaching 1 July is not', () => {
    const july = { ...header, fiscalYearStart: '2025-07-01', from: '2026-06-01', to: '2026-06-30' };
    expect(() => toDatevBuchungsstapel({ header: july, records: [{ ...record, date: '2026-06-30' }] })).not.toThrow();
    const tooFar = { ...july, to: '2026-07-01' };
    expect(refused({ header: tooFar, records: [{ ...record, date: '2026-06-30' }] }).message).toMatch(
      /Datum bis 2026-07-01 is after the fiscal year's last day 2026-06-30/,
    );
  });

  it.each<[string, Partial<DatevRecordInput>, RegExp]>([
    ['a zero amount', { amountCents: 0 }, /booking 1: amount is zero/],
    ['fractions of a cent', { amountCents: 12.5 }, /booking 1: amount must be whole cents, got 12.5/],
    ['an amount of 11 digits before the comma', { amountCents: 1_000_000_000_000 }, /more than 10 digits before the comma/],
    ['a negative amount with a side', { amountCents: -5, debitCredit: 'S' }, /a negative amount with debitCredit "S"/],
    ['an unknown side', { debitCredit: 'X' as 'S' }, /debitCredit must be "S" or "H"/],
    ['an account with letters', { account: '12a4' }, /Konto \(account\) "12a4" must be digits only/],
    [
      'an account longer than the account length allows',
      { contraAccount: '840000' },
      /Gegenkonto \(contraAccount\) 840000 has 6 digits; with account length 4 at most 5/,
    ],
    ['account zero', { account: '0000' }, /Konto \(account\) must not be zero/],
    ['the same account on both sides', { contraAccount: '1200' }, /Konto and Gegenkonto are both 1200/],
    ['a Belegdatum outside the period', { date: '2026-02-01' }, /Belegdatum 2026-02-01 is outside the batch period 2026-01-01–2026-01-31/],
    ['an empty Belegfeld 1', { documentField1: '' }, /Belegfeld 1 \(documentField1\) is empty/],
    ['a Belegfeld 1 with an underscore', { documentField1: 'STR_BBM' }, /Belegfeld 1 "STR_BBM" may hold only/],
    ['a Belegfeld 1 with an umlaut', { documentField1: 'MÜN-1' }, /Belegfeld 1 "MÜN-1" may hold only/],
    ['a Belegfeld 1 of 37 characters', { documentField1: 'A'.repeat(37) }, /Belegfeld 1 \(documentField1\) has 37 characters, at most 36/],
    ['a Belegfeld 2 of 13 characters', { documentField2: '1234567890123' }, /Belegfeld 2 \(documentField2\) has 13 characters, at most 12/],
    ['a Buchungstext of 61 characters', { text: 'x'.repeat(61) }, /Buchungstext \(text\) has 61 characters, at most 60/],
    ['a Buchungstext with a double quote', { text: 'Zustellung "Eilt"' }, /Buchungstext \(text\) contains a double quote/],
    ['a Buchungstext with a line break', { text: 'Zeile 1\r\nZeile 2' }, /Buchungstext \(text\) contains a line break/],
    [
      'a Buchungstext Windows-1252 cannot hold',
      { text: 'Łódź' },
      /Buchungstext \(text\) contains a character that cannot be written in windows-1252/,
    ],
    ['a cost centre with a hyphen', { costCentre: 'BB-1' }, /KOST1 "BB-1" may hold only letters, digits, spaces and _/],
  ])('refuses %s', (_, change, message) => {
    expect(refused({ header, records: [{ ...record, ...change }] }).message).toMatch(message);
  });

  it('a Buchungstext Windows-1252 cannot hold is fine in UTF-8', () => {
    const bytes = toDatevBuchungsstapel({ header, records: [{ ...record, text: 'Łódź' }] }, { encoding: 'utf-8-bom' });
    expect(parseDatev(bytes, 'utf-8-bom').records[0]?.text).toBe('Łódź');
  });

  it('lists every problem at once, each naming its booking', () => {
    const err = refused({
      header: { ...header, clientNumber: 0 },
      records: [record, { ...record, account: 'x' }, { ...record, text: 'x'.repeat(61), amountCents: 0 }],
    });
    expect(err.details?.problems).toEqual([
      'Mandantennummer (clientNumber) must be a whole number from 1 to 99999, got 0',
      'booking 2: Konto (account) "x" must be digits only',
      'booking 3: amount is zero; DATEV takes no zero bookings',
      'booking 3: Buchungstext (text) has 61 characters, at most 60 allowed',
    ]);
    expect(err.message).toMatch(/^DATEV export refused \(4 problems\): Mandantennummer/);
  });

  it('refuses more bookings than a batch holds', () => {
    expect(refused({ header, records: new Array<DatevRecordInput>(100_000).fill(record) }).message).toMatch(
      /100000 bookings; a batch holds at most 99999/,
    );
  });

  it('refuses an unknown timezone for Erzeugt am', () => {
    expect(errorOf(() => toDatevBuchungsstapel({ header, records: [record] }, { timeZone: 'Europe/Stuttgart' })).code).toBe(
      'finance.csv_invalid_options',
    );
  });
});

describe('DATEV Buchungsstapel: reading', () => {
  it('refuses a file that is not an EXTF batch', () => {
    expect(errorOf(() => parseDatev(Buffer.from('Umsatz;Konto\r\n', 'latin1'))).code).toBe('finance.datev_unparsable');
    expect(errorOf(() => parseDatev(Buffer.from('"EXTF";700;21\r\n', 'latin1'))).message).toMatch(/header has 3 fields, not 31/);
  });
});
