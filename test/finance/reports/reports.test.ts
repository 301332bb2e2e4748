import { randomBytes, randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { describe, expect } from 'vitest';
import { parseCsv } from '../../../src/finance/csv.ts';
import { parseDatev } from '../../../src/finance/datev.ts';
import type { TextEncodingName } from '../../../src/finance/encoding.ts';
import { stripeBalanceTransactions, stripePayouts } from '../../../src/finance/finance.table.ts';
import { buildBookingList } from '../../../src/finance/reports/booking-list.ts';
import { createFinanceReports } from '../../../src/finance/reports/reports.service.ts';
import { courierCompanies } from '../../../src/couriers/couriers.table.ts';
import { deliveryAttempts } from '../../../src/dispatch/dispatch.table.ts';
import { offices } from '../../../src/offices/offices.table.ts';
import { platformTest } from '../../helpers/platform-fixture.ts';
import { api, createPaidBooking, seedOffice, type TestPlatform } from '../../helpers/test-platform.ts';
import { must } from '../../helpers/must.ts';

const test = platformTest({
  env: {
    DATEV_CONSULTANT_NUMBER: '29098',
    DATEV_CLIENT_NUMBER: '55003',
    FINANCE_ACCOUNTS: JSON.stringify({ revenueAccount: '8210', bankAccount: '1210' }),
  },
});

/** GET a report as bytes (CSV and DATEV are files, not JSON). */
async function download(p: TestPlatform, path: string, headers: Record<string, string>) {
  const res = await fetch(`${p.address}${path}`, { headers });
  return { status: res.status, headers: res.headers, bytes: new Uint8Array(await res.arrayBuffer()) };
}

/** `-12,34` → -1234: the euro column read back without floats. */
function euroToCents(text: string): number {
  const m = /^(-?)(\d+),(\d{2})$/.exec(text);
  if (!m) throw new Error(`not an amount: ${text}`);
  return (m[1] ? -1 : 1) * (Number(m[2]) * 100 + Number(m[3]));
}

/** CSV rows as objects keyed by header. */
function csvRecords(bytes: Uint8Array, encoding: TextEncodingName) {
  const [header, ...rows] = parseCsv(bytes, encoding);
  const names = must(header, 'CSV header');
  return rows.map((r) => Object.fromEntries(names.map((n, i) => [n, r[i] ?? ''])));
}

const line = (over: Partial<typeof stripeBalanceTransactions.$inferInsert> & { amountCents: number; stripeCreatedAt: Date }) => {
  const fee = over.feeCents ?? 0;
  return {
    id: `txn_${randomBytes(8).toString('hex')}`,
    type: over.reportingCategory ?? 'charge',
    reportingCategory: 'charge',
    feeCents: fee,
    netCents: over.amountCents - fee,
    currency: 'EUR',
    status: 'available',
    availableOn: over.stripeCreatedAt,
    ...over,
  };
};

describe("the finance office's reports", () => {
  let officeId: string;
  let officeName: string;
  let prefix: string;
  let financeHeaders: Record<string, string>;
  let clerkHeaders: Record<string, string>;
  let b1: Awaited<ReturnType<typeof createPaidBooking>>;
  let b2: Awaited<ReturnType<typeof createPaidBooking>>;
  const DATE = '2026-03-05';
  const lines: ReturnType<typeof line>[] = [];

  test.beforeAll(async ({ p }) => {
    const { office } = await seedOffice(p.db);
    officeId = office.id;
    prefix = office.kassenzeichenPrefix;
    officeName = `Bürgerbüro Süd ${prefix}`;
    await p.db
      .update(offices)
      .set({ name: officeName, financeAccounts: { feeAccount: '4971', costCentre: 'BB_Sued' } })
      .where(eq(offices.id, officeId));
    b1 = await createPaidBooking(p, officeId);
    b2 = await createPaidBooking(p, officeId);
    financeHeaders = (await p.staff(['finance'], null)).headers;
    clerkHeaders = (await p.staff(['clerk'], officeId)).headers;
    const pi1 = b1.payment.paymentIntentId as string;
    const pi2 = b2.payment.paymentIntentId as string;
    // 5 March 2026 in Berlin is 04 March 23:00Z to 05 March 23:00Z.
    lines.push(
      line({ paymentIntentId: pi1, amountCents: 450, feeCents: 32, stripeCreatedAt: new Date('2026-03-04T23:10:00Z') }),
      line({ paymentIntentId: pi2, amountCents: 450, feeCents: 32, stripeCreatedAt: new Date('2026-03-05T09:00:00Z') }),
      line({ paymentIntentId: pi1, reportingCategory: 'refund', amountCents: -300, stripeCreatedAt: new Date('2026-03-05T12:00:00Z') }),
      line({
        paymentIntentId: pi2,
        reportingCategory: 'dispute',
        amountCents: -450,
        feeCents: 1500,
        stripeCreatedAt: new Date('2026-03-05T15:00:00Z'),
      }),
      // Not on the day: before it, and 00:30 on 6 March in Berlin.
      line({ paymentIntentId: pi1, amountCents: 999, feeCents: 40, stripeCreatedAt: new Date('2026-03-04T22:50:00Z') }),
      line({ paymentIntentId: pi2, amountCents: 999, feeCents: 40, stripeCreatedAt: new Date('2026-03-05T23:30:00Z') }),
    );
    await p.db.insert(stripeBalanceTransactions).values(lines);
  });

  describe('the daily booking list', () => {
    test('lists charges, refunds and disputes gross, with Stripe fees as separate expense lines, totalled to the cent', async ({ p }) => {
      const res = await api(p, 'GET', `/v1/finance/reports/bookings?officeId=${officeId}&date=${DATE}`, { headers: financeHeaders });
      expect(res.status).toBe(200);
      const r = res.body;
      expect(r.office.name).toBe(officeName);
      expect(r.accounts).toEqual({
        revenueAccount: '8210',
        feeAccount: '4971',
        clearingAccount: '1360',
        courierExpenseAccount: '3100',
        costCentre: 'BB_Sued',
      });
      expect(r.lines.map((l: { lineType: string; amountCents: number }) => [l.lineType, l.amountCents])).toEqual([
        ['charge', 450],
        ['fee', -32],
        ['charge', 450],
        ['fee', -32],
        ['refund', -300],
        ['dispute', -450],
        ['fee', -1500],
      ]);
      expect(r.lines[0]).toMatchObject({ kassenzeichen: b1.booking.kassenzeichen, bookingId: b1.booking.id, stripeId: lines[0]?.id });
      expect(r.totals).toEqual({
        chargedCents: 900,
        refundedCents: -300,
        refundFailuresCents: 0,
        disputedCents: -450,
        disputeReversedCents: 0,
        feesCents: -1564,
        grossCents: 150,
        netCents: 150 - 1564,
        lineCount: 7,
      });
      // What the day added to the Stripe balance is Stripe's own net of the four lines.
      expect(r.totals.netCents).toBe(lines.slice(0, 4).reduce((s, l) => s + l.netCents, 0));
      // Amounts and Kassenzeichen only: nothing of the recipient.
      const text = JSON.stringify(r);
      expect(text).not.toContain(b1.request.recipient.name);
      expect(text).not.toContain(b1.request.recipient.phone);
    });

    for (const encoding of ['utf-8-bom', 'windows-1252'] as const) {
      test(`as CSV in ${encoding}: parsed back, every amount matches the JSON to the cent and the umlauts survive`, async ({ p }) => {
        const json = (await api(p, 'GET', `/v1/finance/reports/bookings?officeId=${officeId}&date=${DATE}`, { headers: financeHeaders }))
          .body;
        const query = `officeId=${officeId}&date=${DATE}&format=csv${encoding === 'windows-1252' ? '&encoding=windows-1252' : ''}`;
        const res = await download(p, `/v1/finance/reports/bookings?${query}`, financeHeaders);
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toBe(`text/csv; charset=${encoding === 'windows-1252' ? 'windows-1252' : 'utf-8'}`);
        expect(res.headers.get('content-disposition')).toBe(`attachment; filename="buchungsliste_${prefix}_${DATE}.csv"`);
        if (encoding === 'utf-8-bom') expect([...res.bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
        else expect(res.bytes.includes(0xfc)).toBe(true); // ü as one Windows-1252 byte
        const rows = csvRecords(res.bytes, encoding);
        expect(rows).toHaveLength(json.lines.length);
        rows.forEach((row, i) => {
          const l = json.lines[i];
          expect(Number(row['Betrag Cent'])).toBe(l.amountCents);
          expect(euroToCents(must(row['Betrag EUR'], 'Betrag EUR'))).toBe(l.amountCents);
          expect(row).toMatchObject({
            Amt: officeName,
            Kassenzeichen: l.kassenzeichen,
            'Stripe-ID': l.stripeId,
            Konto: '1360',
            Gegenkonto: l.lineType === 'fee' ? '4971' : '8210',
            Kostenstelle: 'BB_Sued',
            Währung: 'EUR',
          });
        });
        expect(rows[0]?.Datum).toBe('05.03.2026 00:10:00');
        expect(rows.map((r) => r.Buchungsart)).toContain('Rückbuchung (Dispute)');
        expect(rows.reduce((s, r) => s + Number(r['Betrag Cent']), 0)).toBe(json.totals.netCents);
      });
    }

    test('as a DATEV Buchungsstapel: gross and fee as separate records, Belegfeld 1 the Kassenzeichen, adding up to the cent', async ({
      p,
    }) => {
      const json = (await api(p, 'GET', `/v1/finance/reports/bookings?officeId=${officeId}&date=${DATE}`, { headers: financeHeaders }))
        .body;
      const res = await download(p, `/v1/finance/reports/bookings?officeId=${officeId}&date=${DATE}&format=datev`, financeHeaders);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-disposition')).toBe(`attachment; filename="EXTF_Buchungsliste_${prefix}_${DATE}.csv"`);
      const datev = parseDatev(res.bytes, 'windows-1252');
      expect(datev.header).toMatchObject({
        kennzeichen: 'EXTF',
        category: 21,
        consultantNumber: 29098,
        clientNumber: 55003,
        from: DATE,
        to: DATE,
        fiscalYearStart: '2026-01-01',
        accountLength: 4,
      });
      expect(datev.records).toHaveLength(json.lines.length);
      datev.records.forEach((rec, i) => {
        const l = json.lines[i];
        expect(rec.signedAmountCents).toBe(l.amountCents);
        expect(rec).toMatchObject({
          account: '1360',
          contraAccount: l.contraAccount,
          documentField1: l.kassenzeichen,
          costCentre: 'BB_Sued',
        });
        expect(rec.date).toBe(DATE);
      });
      // A charge debits the Stripe balance against revenue; its fee credits it against the fee expense.
      expect(datev.records[0]).toMatchObject({ debitCredit: 'S', amountCents: 450, contraAccount: '8210' });
      expect(datev.records[1]).toMatchObject({ debitCredit: 'H', amountCents: 32, contraAccount: '4971' });
      expect(datev.records[0]?.text).toBe(`Zahlung ${officeName}`);
      expect(datev.records[1]?.text).toBe(`Stripe-Gebühr ${officeName}`);
      expect(datev.records.reduce((s, r) => s + r.signedAmountCents, 0)).toBe(json.totals.netCents);
      // And in UTF-8 on request.
      const utf8 = await download(
        p,
        `/v1/finance/reports/bookings?officeId=${officeId}&date=${DATE}&format=datev&encoding=utf-8-bom`,
        financeHeaders,
      );
      expect(parseDatev(utf8.bytes, 'utf-8-bom').records[1]?.text).toBe(`Stripe-Gebühr ${officeName}`);
    });

    test('a day too large for one document is refused with a clear error, not cut short', async ({ p }) => {
      const office = must((await p.db.select().from(offices).where(eq(offices.id, officeId)))[0], 'office');
      await expect(buildBookingList(p.db, { office, date: DATE, accounts: p.config.finance.accounts, limit: 4 })).rejects.toMatchObject({
        code: 'finance.report_too_large',
        status: 422,
      });
    });

    test('without DATEV numbers configured, a DATEV download says what is missing (409)', async ({ p }) => {
      const reports = createFinanceReports({ db: p.db, finance: { ...p.config.finance, datev: null }, clock: () => new Date() });
      const staff = (await p.staff(['finance'], null)).user;
      await expect(reports.bookingList({ officeId, date: DATE, format: 'datev' }, staff)).rejects.toMatchObject({
        code: 'finance.datev_not_configured',
        status: 409,
      });
    });
  });

  describe('the payout report', () => {
    test('shows every line of a payout with its Kassenzeichen, and the difference when the nets do not add up', async ({ p }) => {
      const payoutId = `po_${randomBytes(8).toString('hex')}`;
      const at = new Date('2026-03-10T08:00:00Z');
      const payoutLines = [
        line({ paymentIntentId: b1.payment.paymentIntentId, amountCents: 450, feeCents: 32, payoutId, stripeCreatedAt: at }),
        line({
          paymentIntentId: b2.payment.paymentIntentId,
          amountCents: 450,
          feeCents: 32,
          payoutId,
          stripeCreatedAt: new Date(at.getTime() + 1000),
        }),
        // A line of no booking of the platform (made in Stripe's dashboard): listed, without booking.
        line({ amountCents: 1000, feeCents: 40, payoutId, metadataKassenzeichen: null, stripeCreatedAt: new Date(at.getTime() + 2000) }),
        // The payout's own line is the payout, not a part of it.
        line({
          reportingCategory: 'payout',
          amountCents: -1789,
          payoutId,
          sourceId: payoutId,
          stripeCreatedAt: new Date(at.getTime() + 3000),
        }),
      ];
      await p.db.insert(stripeBalanceTransactions).values(payoutLines);
      const nets = 418 + 418 + 960;
      // Stripe paid out 7 cents less than the lines add up to (a line the import has not seen).
      await p.db.insert(stripePayouts).values({
        id: payoutId,
        amountCents: nets - 7,
        currency: 'EUR',
        status: 'paid',
        automatic: true,
        arrivalDate: new Date('2026-03-12T00:00:00Z'),
        stripeCreatedAt: at,
      });

      const res = await api(p, 'GET', `/v1/finance/reports/payouts/${payoutId}`, { headers: financeHeaders });
      expect(res.status).toBe(200);
      expect(res.body.lines.map((l: { kassenzeichen: string | null; netCents: number }) => [l.kassenzeichen, l.netCents])).toEqual([
        [b1.booking.kassenzeichen, 418],
        [b2.booking.kassenzeichen, 418],
        [null, 960],
      ]);
      expect(res.body.totals).toEqual({
        grossCents: 1900,
        feeCents: 104,
        netCents: nets,
        payoutAmountCents: nets - 7,
        differenceCents: -7,
        balanced: false,
        lineCount: 3,
      });

      const csv = await download(p, `/v1/finance/reports/payouts/${payoutId}?format=csv&encoding=windows-1252`, financeHeaders);
      expect(csv.headers.get('content-disposition')).toBe(`attachment; filename="auszahlung_${payoutId}.csv"`);
      const rows = csvRecords(csv.bytes, 'windows-1252');
      expect(rows.map((r) => Number(r['Netto Cent']))).toEqual([418, 418, 960]);
      expect(rows.map((r) => euroToCents(must(r['Gebühr EUR'], 'Gebühr EUR')))).toEqual([32, 32, 40]);
      expect(rows.map((r) => r.Kostenstelle)).toEqual(['BB_Sued', 'BB_Sued', '']);
      expect(rows.reduce((s, r) => s + Number(r['Brutto Cent']) - Number(r['Gebühr Cent']), 0)).toBe(res.body.totals.netCents);

      // DATEV books the transfer to the bank; the lines inside it are the booking lists' records.
      const datev = parseDatev((await download(p, `/v1/finance/reports/payouts/${payoutId}?format=datev`, financeHeaders)).bytes);
      expect(datev.records).toHaveLength(1);
      expect(datev.records[0]).toMatchObject({
        amountCents: nets - 7,
        debitCredit: 'S',
        account: '1210',
        contraAccount: '1360',
        date: '2026-03-12',
        documentField1: payoutId.replace('_', ''),
      });

      const range = await api(p, 'GET', '/v1/finance/reports/payouts?from=2026-03-12&to=2026-03-12', { headers: financeHeaders });
      expect(range.status).toBe(200);
      const entry = range.body.payouts.find((x: { id: string }) => x.id === payoutId);
      expect(entry).toMatchObject({ amountCents: nets - 7, netCents: nets, differenceCents: -7, balanced: false, lineCount: 3 });
      const rangeCsv = csvRecords(
        (await download(p, '/v1/finance/reports/payouts?from=2026-03-12&to=2026-03-12&format=csv', financeHeaders)).bytes,
        'utf-8-bom',
      );
      expect(rangeCsv.find((r) => r.Auszahlung === payoutId)).toMatchObject({
        'Differenz Cent': '-7',
        'Differenz EUR': '-0,07',
        Ankunft: '12.03.2026',
      });
    });

    test('an unknown payout is a 404, a bad id a 400, and office-bound finance staff may not read city-wide payouts', async ({ p }) => {
      expect((await api(p, 'GET', '/v1/finance/reports/payouts/po_unknown123', { headers: financeHeaders })).body.error.code).toBe(
        'finance.payout_not_found',
      );
      expect((await api(p, 'GET', '/v1/finance/reports/payouts/po%20x%22', { headers: financeHeaders })).status).toBe(400);
      const officeFinance = (await p.staff(['finance'], officeId)).headers;
      expect((await api(p, 'GET', '/v1/finance/reports/payouts/po_unknown123', { headers: officeFinance })).status).toBe(403);
    });
  });

  describe('the courier invoice check', () => {
    test("splits failed attempts by the office's fault rules, unknown reasons the company's, in the office's month", async ({ p }) => {
      const [company] = await p.db
        .insert(courierCompanies)
        .values({
          name: 'Kurierdienst Müller & Söhne',
          vehicleTypes: ['bike'],
          zoneIds: [],
          pricePerDeliveryCents: 450,
          pricePerFailedAttemptCents: 200,
          contactName: 'Hans Müller',
          contactEmail: 'hans@mueller.example',
        })
        .returning();
      const companyId = must(company, 'company').id;
      const route = randomUUID();
      const attempt = (
        bookingId: string,
        n: number,
        outcome: 'delivered' | 'failed',
        reason: string | null,
        price: number,
        at: string,
      ) => ({
        bookingId,
        attempt: n,
        routeId: route,
        companyId,
        outcome,
        reason,
        priceCents: price,
        occurredAt: new Date(at),
      });
      await p.db.insert(deliveryAttempts).values([
        attempt(b1.booking.id, 1, 'failed', 'not_home', 200, '2026-03-02T10:00:00Z'), // citizen
        attempt(b1.booking.id, 2, 'delivered', null, 450, '2026-03-03T10:00:00Z'),
        attempt(b2.booking.id, 1, 'failed', 'address_not_found', 200, '2026-02-28T23:30:00Z'), // 1 March 00:30 in Berlin: courier
        attempt(b2.booking.id, 2, 'failed', 'dog_in_garden', 180, '2026-03-10T10:00:00Z'), // unknown reason: courier
        attempt(b2.booking.id, 3, 'delivered', null, 450, '2026-03-31T22:30:00Z'), // 1 April in Berlin: not March
      ]);

      const res = await api(p, 'GET', `/v1/finance/reports/courier-invoices?companyId=${companyId}&month=2026-03`, {
        headers: financeHeaders,
      });
      expect(res.status).toBe(200);
      expect(res.body.company.name).toBe('Kurierdienst Müller & Söhne');
      expect(
        res.body.lines.map((l: { attempt: number; fault: string | null; payable: boolean }) => [l.attempt, l.fault, l.payable]),
      ).toEqual([
        [1, 'courier', false],
        [1, 'citizen', true],
        [2, null, true],
        [2, 'courier', false],
      ]);
      expect(res.body.lines[0]).toMatchObject({ localDate: '2026-03-01', localTime: '00:30', kassenzeichen: b2.booking.kassenzeichen });
      expect(res.body.totals).toEqual({
        deliveredCount: 1,
        deliveredCents: 450,
        failedCitizenFaultCount: 1,
        failedCitizenFaultCents: 200,
        failedCourierFaultCount: 2,
        failedCourierFaultCents: 380,
        payableCents: 650,
        notPayableCents: 380,
      });
      const text = JSON.stringify(res.body);
      expect(text).not.toContain('hans@mueller.example');
      expect(text).not.toContain(b1.request.recipient.name);

      const april = await api(p, 'GET', `/v1/finance/reports/courier-invoices?companyId=${companyId}&month=2026-04`, {
        headers: financeHeaders,
      });
      expect(april.body.totals).toMatchObject({ deliveredCount: 1, deliveredCents: 450 });

      for (const encoding of ['utf-8-bom', 'windows-1252'] as const) {
        const csv = await download(
          p,
          `/v1/finance/reports/courier-invoices?companyId=${companyId}&month=2026-03&format=csv&encoding=${encoding}`,
          financeHeaders,
        );
        expect(csv.status).toBe(200);
        const rows = csvRecords(csv.bytes, encoding);
        expect(rows.map((r) => r.Kurierunternehmen)).toEqual(Array(4).fill('Kurierdienst Müller & Söhne'));
        expect(rows.map((r) => r.Amt)).toEqual(Array(4).fill(officeName));
        expect(rows.map((r) => [r.Verschulden, r['Zu zahlen']])).toEqual([
          ['Kurier', 'nein'],
          ['Bürger', 'ja'],
          ['', 'ja'],
          ['Kurier', 'nein'],
        ]);
        const payable = rows.filter((r) => r['Zu zahlen'] === 'ja');
        expect(payable.reduce((s, r) => s + euroToCents(must(r['Preis EUR'], 'Preis EUR')), 0)).toBe(res.body.totals.payableCents);
        expect(rows.reduce((s, r) => s + Number(r['Preis Cent']), 0)).toBe(1030);
        expect(rows[0]).toMatchObject({ Datum: '01.03.2026', Uhrzeit: '00:30', Konto: '3100', Kostenstelle: 'BB_Sued' });
      }
      expect(
        (
          await api(p, 'GET', `/v1/finance/reports/courier-invoices?companyId=${companyId}&month=2026-03&format=datev`, {
            headers: financeHeaders,
          })
        ).status,
      ).toBe(400);
    });
  });

  describe('who may download and what bad input gets', () => {
    test('a clerk gets 403 on every report, anonymous callers 401', async ({ p }) => {
      for (const path of [
        `/v1/finance/reports/bookings?officeId=${officeId}&date=${DATE}`,
        '/v1/finance/reports/payouts/po_x123',
        '/v1/finance/reports/payouts?from=2026-03-01&to=2026-03-02',
        `/v1/finance/reports/courier-invoices?companyId=${randomUUID()}&month=2026-03`,
      ]) {
        const clerk = await api(p, 'GET', path, { headers: clerkHeaders });
        expect(clerk.status, path).toBe(403);
        expect(clerk.body.error.code).toBe('auth.forbidden');
        expect((await api(p, 'GET', path)).status, path).toBe(401);
      }
    });

    test('bad dates, months, formats and ranges are 4xx with the error shape, never 500', async ({ p }) => {
      const other = (await seedOffice(p.db)).office.id;
      const officeFinance = (await p.staff(['finance'], officeId)).headers;
      const cases: Array<[string, number, Record<string, string>?]> = [
        [`/v1/finance/reports/bookings?officeId=${officeId}&date=2026-02-30`, 400],
        [`/v1/finance/reports/bookings?officeId=${officeId}&date=05.03.2026`, 400],
        [`/v1/finance/reports/bookings?officeId=${officeId}&date=${DATE}&format=xlsx`, 400],
        [`/v1/finance/reports/bookings?officeId=${officeId}&date=${DATE}&encoding=latin-9`, 400],
        [`/v1/finance/reports/bookings?officeId=${randomUUID()}&date=${DATE}`, 404],
        [`/v1/finance/reports/bookings?officeId=${other}&date=${DATE}`, 403, officeFinance],
        ['/v1/finance/reports/payouts?from=2026-03-02&to=2026-03-01', 400],
        ['/v1/finance/reports/payouts?from=2026-01-01&to=2026-12-31', 400],
        [`/v1/finance/reports/courier-invoices?companyId=${randomUUID()}&month=2026-13`, 400],
        [`/v1/finance/reports/courier-invoices?companyId=${randomUUID()}&month=2026-03`, 404],
      ];
      for (const [path, status, headers] of cases) {
        const res = await api(p, 'GET', path, { headers: headers ?? financeHeaders });
        expect(res.status, path).toBe(status);
        expect(res.body.error, path).toMatchObject({
          code: expect.any(String),
          message: expect.any(String),
          requestId: expect.any(String),
        });
      }
    });
  });
});
