/**
 * Reconciles a million bookings: creates a database of its own on BENCH_DATABASE_URL's server
 * (dropped at the end), migrates it, and generates in bulk, over the last 30 days, N paid bookings
 * with their payments, Stripe charge lines (1.5 % + 25 cents fee), a daily automatic payout with
 * its lines, cancellations with refund decisions and refunds, and disputes. A known number of
 * each discrepancy class is planted on the way. Then it runs one reconciliation (match only: the
 * ledger is already "imported") and prints its wall time, this process's peak RSS, what
 * PostgreSQL spilled to temporary files, and each class found against the number planted, so a
 * fast wrong answer cannot pass. A second run shows what a nightly re-run costs.
 *
 *   npm run bench:reconciliation -- [--rows 1000000]
 */
import { sql } from 'drizzle-orm';
import { createScratchDatabase } from '../src/db/scratch-database.ts';
import { openDatabase, queryRows } from '../src/db/client.ts';
import { seedDemoIfEmpty } from '../src/demo/seed-demo.ts';
import { createReconciliation } from '../src/finance/reconciliation.service.ts';
import { createQuotesRepository } from '../src/quotes/quotes.repository.ts';
import { wholeNumberFlag } from './flags.ts';

const ROWS = wholeNumberFlag('rows', 1_000_000);
const scratch = await createScratchDatabase('amtsbote_bench_recon', process.env.BENCH_DATABASE_URL);
const url = new URL(scratch.url);
const handle = await openDatabase({ url: url.toString(), dataDir: '/tmp', maxConnections: 4 });
const DAYS = 30;
const now = new Date();
// Every 1000 bookings: which ones carry which planted fault (by g % 1000).
const PLANT = { missingLine: 7, amount: 13, currency: 17, owedNotMade: 23, refundWithoutCause: 29, disputeOpen: 31, disputeLost: 37 };
/** How many g in 1..ROWS have g % 1000 = n (0 < n < 1000). */
const per1000 = (n: number) => (ROWS >= n ? Math.floor((ROWS - n) / 1000) + 1 : 0);

try {
  await handle.migrate();
  const { db } = handle;
  const seeded = await seedDemoIfEmpty(db, now);
  if (!seeded) throw new Error('the bench database was not empty');
  const { office, bikeZone } = seeded;
  const [tariff] = await queryRows<{ id: string }>(db, sql`select id from tariffs where zone_id = ${bikeZone.id}`);
  if (!tariff) throw new Error('the demo seed made no bike tariff');
  const quote = await createQuotesRepository(db).insert({
    officeId: office.id,
    location: [9.18, 48.775],
    options: [{ vehicleType: 'bike', zoneId: bikeZone.id, tariffId: tariff.id, amountCents: 450, currency: 'EUR' }],
    expiresAt: new Date(now.getTime() + 3_600_000),
  });
  const spacingMs = Math.floor((DAYS * 86_400_000) / ROWS);
  const loadStarted = performance.now();
  const at = (g: string) =>
    sql.raw(`(${`'${now.toISOString()}'::timestamptz`} - interval '2 hours' - (${g}) * interval '${spacingMs} milliseconds')`);

  await db.execute(sql`
    insert into bookings (office_id, quote_id, application_number, document_type, recipient, address, location,
      vehicle_type, zone_id, tariff_id, amount_cents, preferred_windows, consent, status, kassenzeichen,
      tracking_token_hash, payment_deadline, created_at)
    select ${office.id}, ${quote.id}, 'R' || lpad(g::text, 9, '0'), 'id_card', '{"name":"Erika Mustermann"}',
      '{"street":"Königstraße","houseNumber":"1","postalCode":"70173","city":"Stuttgart"}', '[9.18,48.775]',
      'bike', ${bikeZone.id}, ${tariff.id}, 450, '[]',
      '{"powerOfAttorney":true,"textVersion":"2026-01","consentedAt":"2026-01-01T00:00:00.000Z"}',
      (case when g % 20 = 0 or g % 1000 in (${PLANT.owedNotMade}, ${PLANT.refundWithoutCause}) then 'cancelled' else 'delivered' end)::booking_status,
      'BENCH-' || g, md5(g::text) || md5((g * 7)::text), ${at('g')}, ${at('g')}
    from generate_series(1, ${ROWS}::int) g`);
  await db.execute(sql`
    insert into payments (booking_id, payment_intent_id, latest_charge_id, amount_cents, amount_received_cents, kassenzeichen, status, created_at)
    select id, 'pi_' || substr(kassenzeichen, 7), 'ch_' || substr(kassenzeichen, 7), 450, 450, kassenzeichen, 'succeeded', created_at from bookings`);
  // One charge line per payment, a minute after it; payout day = the day it became available.
  await db.execute(sql`
    insert into stripe_balance_transactions (id, type, reporting_category, amount_cents, fee_cents, net_cents, currency,
      source_id, charge_id, payment_intent_id, payout_id, status, available_on, stripe_created_at)
    select 'txn_c' || g, 'charge', 'charge', a.amount, 32, a.amount - 32, a.currency, 'ch_' || g, 'ch_' || g, 'pi_' || g,
      'po_' || to_char(${at('g')}, 'YYYYMMDD'), 'available', ${at('g')} + interval '1 minute', ${at('g')} + interval '1 minute'
    from generate_series(1, ${ROWS}::int) g
    cross join lateral (select case when g % 1000 = ${PLANT.amount} then 999 else 450 end as amount,
                               case when g % 1000 = ${PLANT.currency} then 'CHF' else 'EUR' end as currency) a
    where g % 1000 <> ${PLANT.missingLine}`);
  // Charges nobody booked: one per 10,000 bookings.
  await db.execute(sql`
    insert into stripe_balance_transactions (id, type, reporting_category, amount_cents, fee_cents, net_cents, currency,
      source_id, charge_id, payment_intent_id, status, available_on, stripe_created_at)
    select 'txn_x' || g, 'charge', 'charge', 1234, 44, 1190, 'EUR', 'ch_x' || g, 'ch_x' || g, 'pi_x' || g, 'available',
      ${at('g * 10000')}, ${at('g * 10000')}
    from generate_series(1, ${Math.floor(ROWS / 10_000)}::int) g`);
  // Cancellations: the decision owes everything back; Stripe refunded it, except where planted otherwise.
  await db.execute(sql`
    insert into refund_decisions (booking_id, rule, reason, policy_amount_cents, amount_cents, decided_at)
    select b.id, 'cancelled_before_handover', 'cancelled before the handover', 450,
      case when substr(b.kassenzeichen, 7)::int % 1000 = ${PLANT.refundWithoutCause} then 0 else 450 end, b.created_at + interval '10 minutes'
    from bookings b where b.status = 'cancelled'`);
  await db.execute(sql`
    insert into stripe_refunds (id, charge_id, payment_intent_id, amount_cents, currency, status, metadata_booking_id, stripe_created_at)
    select 're_' || substr(b.kassenzeichen, 7), 'ch_' || substr(b.kassenzeichen, 7), 'pi_' || substr(b.kassenzeichen, 7), 450, 'EUR',
      'succeeded', b.id::text, b.created_at + interval '11 minutes'
    from bookings b where b.status = 'cancelled' and substr(b.kassenzeichen, 7)::int % 1000 <> ${PLANT.owedNotMade}`);
  await db.execute(sql`
    insert into stripe_disputes (id, charge_id, payment_intent_id, amount_cents, currency, status, reason, stripe_created_at)
    select 'dp_' || g, 'ch_' || g, 'pi_' || g, 450, 'EUR', case when g % 1000 = ${PLANT.disputeLost} then 'lost' else 'needs_response' end,
      'fraudulent', ${at('g')} + interval '1 day'
    from generate_series(1, ${ROWS}::int) g where g % 1000 in (${PLANT.disputeOpen}, ${PLANT.disputeLost})`);
  // A daily payout of what its lines add up to (the refunds are left out of the payouts here), one off by a cent.
  await db.execute(sql`
    insert into stripe_payouts (id, amount_cents, currency, status, automatic, arrival_date, stripe_created_at)
    select payout_id, sum(net_cents) + case when row_number() over (order by payout_id) = 3 then 1 else 0 end, 'EUR', 'paid', true,
      max(stripe_created_at) + interval '2 days', max(stripe_created_at) + interval '1 second'
    from stripe_balance_transactions where payout_id is not null and currency = 'EUR' and reporting_category = 'charge'
    group by payout_id`);
  await db.execute(sql`update stripe_balance_transactions set payout_id = null where currency = 'CHF'`);
  for (const table of [
    'bookings',
    'payments',
    'stripe_balance_transactions',
    'stripe_payouts',
    'stripe_refunds',
    'stripe_disputes',
    'refund_decisions',
  ]) {
    await db.execute(sql.raw(`analyze ${table}`));
  }
  const loadSeconds = (performance.now() - loadStarted) / 1000;
  const [counts] = await queryRows<{ bookings: string; lines: string; payouts: string }>(
    db,
    sql`select (select count(*) from bookings) as bookings, (select count(*) from stripe_balance_transactions) as lines,
               (select count(*) from stripe_payouts) as payouts`,
  );
  console.log(
    `generated ${counts?.bookings} bookings, ${counts?.lines} balance transactions, ${counts?.payouts} payouts in ${loadSeconds.toFixed(1)} s`,
  );

  const reconciliation = createReconciliation({ db, importRange: null, clock: () => new Date(), graceMs: 3_600_000 });
  const tempBytes = async () =>
    Number(
      (await queryRows<{ b: string }>(db, sql`select temp_bytes as b from pg_stat_database where datname = current_database()`))[0]?.b ?? 0,
    );
  const runOnce = async () => {
    const run = await reconciliation.request({
      from: new Date(now.getTime() - (DAYS + 1) * 86_400_000),
      to: new Date(now.getTime() + 1000),
      requestedBy: 'bench',
      importLedger: false,
    });
    const tempBefore = await tempBytes();
    const started = performance.now();
    const done = await reconciliation.execute(run.id);
    const seconds = (performance.now() - started) / 1000;
    // pg_stat counters are sent by the backend at transaction end; a short wait lets them land.
    await new Promise((r) => setTimeout(r, 600));
    return { done, seconds, tempMb: ((await tempBytes()) - tempBefore) / 1_048_576 };
  };

  const first = await runOnce();
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  const t = first.done.totals ?? {};
  const expected: Record<string, number> = {
    kind_missing_at_stripe: per1000(PLANT.missingLine),
    kind_amount_mismatch: per1000(PLANT.amount),
    kind_currency_mismatch: per1000(PLANT.currency),
    kind_paid_without_booking: Math.floor(ROWS / 10_000),
    kind_refund_owed_not_made: per1000(PLANT.owedNotMade),
    kind_refund_without_cause: per1000(PLANT.refundWithoutCause),
    kind_dispute_open: per1000(PLANT.disputeOpen),
    kind_dispute_lost: per1000(PLANT.disputeLost),
    kind_payout_mismatch: 1,
  };
  console.log(
    `\nreconciliation of ${ROWS.toLocaleString('en')} bookings: ${first.seconds.toFixed(1)} s, peak RSS of this process ${peakRssMb.toFixed(0)} MB, PostgreSQL temp files ${first.tempMb.toFixed(0)} MB`,
  );
  let wrong = 0;
  for (const [kind, want] of Object.entries(expected)) {
    const got = t[kind] ?? 0;
    if (got !== want) wrong++;
    console.log(
      `  ${kind.slice(5).padEnd(22)} found ${String(got).padStart(7)}  planted ${String(want).padStart(7)}${got === want ? '' : '  <-- differs'}`,
    );
  }
  console.log(
    `  charge lines ${t.chargeLines}, matched ${t.chargesMatched}; payouts ${t.payouts}, matched ${t.payoutsMatched}; fees ${t.feesCents} cents`,
  );

  const second = await runOnce();
  const t2 = second.done.totals ?? {};
  console.log(
    `\nre-run: ${second.seconds.toFixed(1)} s; new ${t2.newDiscrepancies}, changed ${t2.changedDiscrepancies}, cleared ${t2.clearedDiscrepancies}`,
  );
  console.log(`\ntarget: at most 60 s and 512 MB: ${first.seconds <= 60 && peakRssMb <= 512 ? 'met' : 'NOT met'}`);
  if (wrong > 0 || t2.newDiscrepancies !== 0 || t2.changedDiscrepancies !== 0) process.exitCode = 1;
} finally {
  await handle.close();
  await scratch.drop();
}
