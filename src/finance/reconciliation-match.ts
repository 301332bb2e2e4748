import { sql, type SQL } from 'drizzle-orm';
import { queryRows, type DbOrTx } from '../db/client.ts';

/**
 * The matching of a reconciliation, as set-based SQL: each step classifies a whole family of
 * subjects (charge lines, paid bookings, refunds, disputes, payouts) in one statement inside
 * PostgreSQL and writes only what is wrong into the session's `recon_findings`, so a million
 * bookings cost a few hash joins and no memory in this process. Every step returns its counts.
 *
 * The window is [from, until): `until` lies a grace period before the run's end, so money still
 * in flight (a charge whose line Stripe has not written yet, a refund made a minute ago) is not
 * flagged. Keys name the subject, not the class: a dispute's row stays the same row while it goes
 * from open to won, and a refund problem of a booking is one row whether too little or too much
 * went back.
 */
export interface MatchWindow {
  from: Date;
  until: Date;
}

const ts = (d: Date) => sql`${d.toISOString()}::timestamptz`;

/** Session-local work tables, dropped with the transaction. */
export async function createWorkTables(tx: DbOrTx): Promise<void> {
  await tx.execute(sql`
    create temp table recon_findings (
      subject_key varchar(300) primary key,
      kind reconciliation_kind not null,
      booking_id uuid,
      office_id uuid,
      kassenzeichen varchar(40),
      stripe_object_id varchar(255),
      expected_amount_cents bigint,
      actual_amount_cents bigint,
      currency varchar(3),
      facts jsonb not null,
      subject_at timestamptz not null
    ) on commit drop`);
  await tx.execute(sql`create temp table recon_refund_scope (booking_id uuid primary key) on commit drop`);
}

const FINDING_COLUMNS = sql.raw(
  'subject_key, kind, booking_id, office_id, kassenzeichen, stripe_object_id, expected_amount_cents, actual_amount_cents, currency, facts, subject_at',
);

async function one<T>(tx: DbOrTx, query: SQL): Promise<T> {
  const [row] = await queryRows<T>(tx, query);
  if (!row) throw new Error('an aggregate returned no row');
  return row;
}

const n = (v: unknown) => Number(v ?? 0);

/**
 * Every charge line in the window against the booking's payment (by PaymentIntent): matched, paid
 * at Stripe with no booking, another currency, another amount.
 */
export async function matchCharges(tx: DbOrTx, w: MatchWindow) {
  const row = await one<Record<string, unknown>>(
    tx,
    sql`
    with c as materialized (
      select l.source_id, l.payment_intent_id, l.amount_cents, l.currency, l.stripe_created_at, l.metadata_booking_id,
             l.metadata_kassenzeichen, p.booking_id, p.amount_cents as expected, p.currency as expected_currency,
             p.kassenzeichen, b.office_id,
             case when p.id is null then 'paid_without_booking'
                  when upper(p.currency) <> l.currency then 'currency_mismatch'
                  when p.amount_cents <> l.amount_cents then 'amount_mismatch'
             end as kind
      from stripe_balance_transactions l
      left join payments p on p.payment_intent_id = l.payment_intent_id
      left join bookings b on b.id = p.booking_id
      where l.reporting_category = 'charge' and l.stripe_created_at >= ${ts(w.from)} and l.stripe_created_at < ${ts(w.until)}
    ), ins as (
      insert into recon_findings (${FINDING_COLUMNS})
      select 'charge:' || coalesce(c.source_id, c.payment_intent_id), c.kind::reconciliation_kind, c.booking_id, c.office_id,
             coalesce(c.kassenzeichen, c.metadata_kassenzeichen), c.source_id, c.expected, c.amount_cents, c.currency,
             jsonb_strip_nulls(jsonb_build_object('paymentIntentId', c.payment_intent_id, 'chargeId', c.source_id,
               'expectedCurrency', upper(c.expected_currency), 'metadataBookingId', c.metadata_booking_id,
               'metadataKassenzeichen', c.metadata_kassenzeichen)),
             c.stripe_created_at
      from c where c.kind is not null
      on conflict (subject_key) do nothing
      returning 1
    )
    select count(*) filter (where kind is null) as matched, count(*) as lines, coalesce(sum(amount_cents), 0) as cents,
           (select count(*) from ins) as found
    from c`,
  );
  return { matched: n(row.matched), lines: n(row.lines), cents: n(row.cents), found: n(row.found) };
}

/** Payments the platform holds as paid (created in the window) for which Stripe shows no charge at all. */
export async function matchPaidBookings(tx: DbOrTx, w: MatchWindow) {
  const row = await one<Record<string, unknown>>(
    tx,
    sql`
    with ins as (
      insert into recon_findings (${FINDING_COLUMNS})
      select 'payment:' || p.id, 'missing_at_stripe', p.booking_id, b.office_id, p.kassenzeichen, p.payment_intent_id,
             p.amount_cents, 0, upper(p.currency),
             jsonb_strip_nulls(jsonb_build_object('paymentIntentId', p.payment_intent_id, 'status', p.status,
               'chargeId', p.latest_charge_id)),
             p.created_at
      from payments p
      join bookings b on b.id = p.booking_id
      where p.status = 'succeeded' and p.created_at >= ${ts(w.from)} and p.created_at < ${ts(w.until)}
        and not exists (
          select 1 from stripe_balance_transactions l
          where l.payment_intent_id = p.payment_intent_id and l.reporting_category = 'charge')
      on conflict (subject_key) do nothing
      returning 1
    )
    select (select count(*) from ins) as found,
           (select count(*) from payments p where p.status = 'succeeded'
              and p.created_at >= ${ts(w.from)} and p.created_at < ${ts(w.until)}) as paid`,
  );
  return { found: n(row.found), paid: n(row.paid) };
}

/**
 * What each booking is owed back against what Stripe refunded. Owed is the refund decision
 * (the policy or a person's override); for a booking decided before decisions were recorded,
 * the refunds the platform set out to make. A lost dispute counts as money returned. Bookings
 * are looked at when their payment was made in the window or anything about their refunds
 * happened in it (a decision, a refund here or at Stripe), so a refund made in Stripe's dashboard
 * months after the payment is still seen.
 */
export async function matchRefunds(tx: DbOrTx, w: MatchWindow) {
  await tx.execute(sql`
    insert into recon_refund_scope (booking_id)
    select booking_id from refund_decisions where decided_at >= ${ts(w.from)} and decided_at < ${ts(w.until)}
    union
    select booking_id from refunds where created_at >= ${ts(w.from)} and created_at < ${ts(w.until)}
    union
    select p.booking_id from stripe_refunds sr join payments p on p.payment_intent_id = sr.payment_intent_id
      where sr.stripe_created_at >= ${ts(w.from)} and sr.stripe_created_at < ${ts(w.until)}
    union
    select p.booking_id from payments p
      where p.created_at >= ${ts(w.from)} and p.created_at < ${ts(w.until)}
        and (exists (select 1 from refund_decisions d where d.booking_id = p.booking_id)
          or exists (select 1 from refunds r where r.payment_id = p.id)
          or exists (select 1 from stripe_refunds sr where sr.payment_intent_id = p.payment_intent_id))`);
  const row = await one<Record<string, unknown>>(
    tx,
    sql`
    with here as (
      select r.payment_id, sum(r.amount_cents) as owed, max(r.created_at) as last_at,
             count(*) filter (where r.status = 'pending') as pending
      from refunds r join payments p on p.id = r.payment_id join recon_refund_scope s on s.booking_id = p.booking_id
      group by r.payment_id
    ), stripe as (
      select sr.payment_intent_id, sum(sr.amount_cents) filter (where sr.status in ('succeeded', 'pending')) as refunded,
             count(*) filter (where sr.metadata_refund_id is null and sr.status in ('succeeded', 'pending')) as outside,
             string_agg(sr.id, ',' order by sr.id) as ids
      from stripe_refunds sr join payments p on p.payment_intent_id = sr.payment_intent_id
      join recon_refund_scope s on s.booking_id = p.booking_id
      group by sr.payment_intent_id
    ), lost as (
      select sd.payment_intent_id, sum(sd.amount_cents) as cents from stripe_disputes sd where sd.status = 'lost' group by sd.payment_intent_id
    ), c as materialized (
      select p.id as payment_id, p.booking_id, p.payment_intent_id, p.kassenzeichen, upper(p.currency) as currency, p.created_at,
             b.office_id, d.rule, d.overridden_by_staff_id is not null as overridden,
             coalesce(d.amount_cents, h.owed, 0) as owed,
             coalesce(st.refunded, 0) as refunded, coalesce(lo.cents, 0) as lost_cents,
             coalesce(st.outside, 0) as outside, left(st.ids, 200) as refund_ids, coalesce(h.pending, 0) as pending,
             greatest(d.decided_at, d.overridden_at, h.last_at) as last_decision_at
      from recon_refund_scope s
      join payments p on p.booking_id = s.booking_id
      join bookings b on b.id = p.booking_id
      left join refund_decisions d on d.booking_id = p.booking_id
      left join here h on h.payment_id = p.id
      left join stripe st on st.payment_intent_id = p.payment_intent_id
      left join lost lo on lo.payment_intent_id = p.payment_intent_id
    ), k as (
      select c.*,
             case when c.refunded + c.lost_cents > c.owed and c.refunded > 0 then 'refund_without_cause'
                  when c.refunded + c.lost_cents < c.owed and c.last_decision_at < ${ts(w.until)} then 'refund_owed_not_made'
             end as kind
      from c
    ), ins as (
      insert into recon_findings (${FINDING_COLUMNS})
      select 'refund:' || k.booking_id, k.kind::reconciliation_kind, k.booking_id, k.office_id, k.kassenzeichen, k.payment_intent_id,
             k.owed, k.refunded, k.currency,
             jsonb_strip_nulls(jsonb_build_object('rule', k.rule, 'overridden', k.overridden, 'owedCents', k.owed,
               'refundedAtStripeCents', k.refunded, 'lostDisputeCents', nullif(k.lost_cents, 0),
               'refundsOutsidePlatform', nullif(k.outside, 0), 'pendingHere', nullif(k.pending, 0), 'stripeRefundIds', k.refund_ids)),
             k.created_at
      from k where k.kind is not null
      on conflict (subject_key) do nothing
      returning 1
    )
    select count(*) as bookings, count(*) filter (where kind is null) as matched, (select count(*) from ins) as found,
           coalesce(sum(refunded), 0) as refunded_cents
    from k`,
  );
  return { bookings: n(row.bookings), matched: n(row.matched), found: n(row.found), refundedCents: n(row.refunded_cents) };
}

/** Every dispute Stripe reported, by its state: open (money withheld), won (returned), lost. */
export async function matchDisputes(tx: DbOrTx) {
  const row = await one<Record<string, unknown>>(
    tx,
    sql`
    with ins as (
      insert into recon_findings (${FINDING_COLUMNS})
      select 'dispute:' || sd.id,
             (case sd.status when 'won' then 'dispute_won' when 'lost' then 'dispute_lost'
                             when 'warning_closed' then 'dispute_won' else 'dispute_open' end)::reconciliation_kind,
             p.booking_id, b.office_id, p.kassenzeichen, sd.id, sd.amount_cents, sd.amount_cents, sd.currency,
             jsonb_strip_nulls(jsonb_build_object('status', sd.status, 'reason', sd.reason, 'chargeId', sd.charge_id,
               'paymentIntentId', sd.payment_intent_id, 'knownBooking', p.id is not null)),
             sd.stripe_created_at
      from stripe_disputes sd
      left join payments p on p.payment_intent_id = sd.payment_intent_id
      left join bookings b on b.id = p.booking_id
      on conflict (subject_key) do nothing
      returning 1
    )
    select (select count(*) from ins) as found, coalesce(sum(amount_cents) filter (where status not in ('won', 'warning_closed')), 0) as withheld
    from stripe_disputes`,
  );
  return { found: n(row.found), withheldCents: n(row.withheld) };
}

/**
 * Every automatic payout created in the window: the nets of the lines it paid out must add up to
 * its amount (its own line and its reversal excluded); a failed payout is its own class.
 */
export async function matchPayouts(tx: DbOrTx, w: MatchWindow) {
  const row = await one<Record<string, unknown>>(
    tx,
    sql`
    with sums as materialized (
      select po.id, po.amount_cents, po.currency, po.status, po.failure_code, po.stripe_created_at,
             coalesce(sum(l.net_cents) filter (where not (l.reporting_category in ('payout', 'payout_reversal') and l.source_id = po.id)), 0) as lines_net,
             count(l.id) filter (where not (l.reporting_category in ('payout', 'payout_reversal') and l.source_id = po.id)) as line_count
      from stripe_payouts po
      left join stripe_balance_transactions l on l.payout_id = po.id
      where po.automatic and po.stripe_created_at >= ${ts(w.from)} and po.stripe_created_at < ${ts(w.until)}
      group by po.id
    ), ins as (
      insert into recon_findings (${FINDING_COLUMNS})
      select 'payout:' || s.id, (case when s.status = 'failed' then 'payout_failed' else 'payout_mismatch' end)::reconciliation_kind,
             null, null, null, s.id, s.amount_cents, s.lines_net, s.currency,
             jsonb_strip_nulls(jsonb_build_object('status', s.status, 'failureCode', s.failure_code, 'lineCount', s.line_count,
               'differenceCents', s.amount_cents - s.lines_net)),
             s.stripe_created_at
      from sums s
      where s.status = 'failed' or (s.status <> 'canceled' and s.lines_net <> s.amount_cents)
      on conflict (subject_key) do nothing
      returning 1
    )
    select count(*) as payouts, count(*) filter (where status = 'paid' and lines_net = amount_cents) as matched,
           coalesce(sum(amount_cents) filter (where status = 'paid'), 0) as paid_cents, (select count(*) from ins) as found
    from sums`,
  );
  return { payouts: n(row.payouts), matched: n(row.matched), paidCents: n(row.paid_cents), found: n(row.found) };
}

/** The money the window moved at Stripe by reporting category, gross and fees apart. */
export async function ledgerTotals(tx: DbOrTx, w: MatchWindow) {
  const rows = await queryRows<{ category: string; cents: unknown; fees: unknown }>(
    tx,
    sql`select reporting_category as category, sum(amount_cents) as cents, sum(fee_cents) as fees
        from stripe_balance_transactions
        where stripe_created_at >= ${ts(w.from)} and stripe_created_at < ${ts(w.until)}
        group by reporting_category`,
  );
  const by = new Map(rows.map((r) => [r.category, { cents: n(r.cents), fees: n(r.fees) }]));
  const cents = (c: string) => by.get(c)?.cents ?? 0;
  return {
    chargedCents: cents('charge'),
    refundedCents: -cents('refund') - cents('refund_failure'),
    disputedCents: -cents('dispute') - cents('dispute_reversal'),
    feesCents: rows.reduce((s, r) => s + n(r.fees), 0),
  };
}

/**
 * Writes the findings into the lasting discrepancy records: a new subject becomes an open
 * record; a known one is rewritten only when its facts changed, and stays resolved when they are
 * the facts a person resolved; a subject this run looked at and no longer found is cleared.
 * Nothing is written when nothing changed, so a second run of the same range changes nothing.
 */
export async function recordFindings(tx: DbOrTx, runId: string, w: MatchWindow) {
  const written = await queryRows<{ inserted: boolean; status: string }>(
    tx,
    sql`
    insert into reconciliation_discrepancies as d (${FINDING_COLUMNS}, facts_hash, first_run_id, last_run_id)
    select ${FINDING_COLUMNS}, md5(kind::text || facts::text), ${runId}::uuid, ${runId}::uuid from recon_findings
    on conflict (subject_key) do update set
      kind = excluded.kind, booking_id = excluded.booking_id, office_id = excluded.office_id,
      kassenzeichen = excluded.kassenzeichen, stripe_object_id = excluded.stripe_object_id,
      expected_amount_cents = excluded.expected_amount_cents, actual_amount_cents = excluded.actual_amount_cents,
      currency = excluded.currency, facts = excluded.facts, facts_hash = excluded.facts_hash,
      last_run_id = excluded.last_run_id, last_seen_at = now(),
      status = case when d.resolved_facts_hash = excluded.facts_hash then 'resolved'::reconciliation_discrepancy_status
                    else 'open'::reconciliation_discrepancy_status end
    where d.facts_hash is distinct from excluded.facts_hash or d.status = 'cleared'
    returning (xmax = 0) as inserted, status`,
  );
  const cleared = await queryRows<{ id: string }>(
    tx,
    sql`
    update reconciliation_discrepancies d
    set status = 'cleared', last_run_id = ${runId}::uuid, last_seen_at = now()
    where d.status in ('open', 'resolved')
      and not exists (select 1 from recon_findings f where f.subject_key = d.subject_key)
      and (
        (split_part(d.subject_key, ':', 1) in ('charge', 'payment', 'payout')
          and d.subject_at >= ${ts(w.from)} and d.subject_at < ${ts(w.until)})
        or split_part(d.subject_key, ':', 1) = 'dispute'
        or (split_part(d.subject_key, ':', 1) = 'refund' and d.booking_id in (select booking_id from recon_refund_scope))
      )
    returning d.id`,
  );
  return {
    new: written.filter((r) => r.inserted).length,
    reopened: written.filter((r) => !r.inserted && r.status === 'open').length,
    changed: written.filter((r) => !r.inserted).length,
    cleared: cleared.length,
  };
}

/** Open findings of this run by class (what the run found, whether new or already known). */
export async function findingsByKind(tx: DbOrTx): Promise<Record<string, number>> {
  const rows = await queryRows<{ kind: string; count: unknown }>(tx, sql`select kind, count(*) as count from recon_findings group by kind`);
  return Object.fromEntries(rows.map((r) => [r.kind, n(r.count)]));
}
