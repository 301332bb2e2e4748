import { sql } from 'drizzle-orm';
import { queryRows, type DbOrTx } from '../../db/client.ts';
import { localDate, localTimeOfDay } from '../../shared/zoned-time.ts';
import { cents, REPORT_MAX_LINES, withinLimit } from './report-limits.ts';

/**
 * What a courier company may invoice for a month: its delivered jobs and failed attempts at the
 * contracted price recorded with each attempt (a later price change does not reach back). A
 * failed attempt is split by fault with the booking's office's refund rules (`faultByReason`);
 * a reason the rules do not name, or none, is the company's fault, like the refund policy reads
 * it. The office pays delivered jobs and attempts that failed through the citizen; attempts that
 * failed through the company are listed so the office can see what not to pay.
 *
 * The month is each office's local month (its timezone, Europe/Berlin by default), so an attempt
 * at 00:30 on the 1st in Berlin belongs to the new month even though it is the old one in UTC.
 */
export type AttemptFault = 'courier' | 'citizen';

export interface CourierInvoiceLine {
  bookingId: string;
  kassenzeichen: string;
  officeId: string;
  officeName: string;
  attempt: number;
  outcome: 'delivered' | 'failed';
  reason: string | null;
  /** Failed attempts only. */
  fault: AttemptFault | null;
  payable: boolean;
  priceCents: number;
  occurredAt: Date;
  /** Office-local date and time of the attempt. */
  localDate: string;
  localTime: string;
}

export interface CourierInvoiceTotals {
  deliveredCount: number;
  deliveredCents: number;
  failedCitizenFaultCount: number;
  failedCitizenFaultCents: number;
  failedCourierFaultCount: number;
  failedCourierFaultCents: number;
  /** Delivered plus citizen-fault attempts: what the company may invoice. */
  payableCents: number;
  /** Courier-fault attempts: not to pay. */
  notPayableCents: number;
}

export interface CourierInvoiceReport {
  report: 'courier_invoice';
  company: { id: string; name: string };
  month: string;
  officeId: string | null;
  lines: CourierInvoiceLine[];
  totals: CourierInvoiceTotals;
}

const DAY_MS = 86_400_000;

/** `YYYY-MM` → its first day and the first day of the next month. */
export function monthBounds(month: string): { first: string; next: string } {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const next = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
  return { first: `${month}-01`, next: `${next}-01` };
}

export async function buildCourierInvoice(
  db: DbOrTx,
  input: { company: { id: string; name: string }; month: string; officeId?: string | null; limit?: number },
): Promise<CourierInvoiceReport> {
  const limit = input.limit ?? REPORT_MAX_LINES;
  const { first, next } = monthBounds(input.month);
  // A coarse UTC window (no timezone is more than a day off UTC) lets the (company, occurred_at)
  // index find the rows; the exact test is the office-local month.
  const coarseFrom = new Date(Date.parse(`${first}T00:00:00Z`) - DAY_MS).toISOString();
  const coarseTo = new Date(Date.parse(`${next}T00:00:00Z`) + DAY_MS).toISOString();
  const officeFilter = input.officeId ? sql`and o.id = ${input.officeId}` : sql``;
  const rows = await queryRows<{
    booking_id: string;
    kassenzeichen: string;
    office_id: string;
    office_name: string;
    timezone: string;
    attempt: number;
    outcome: 'delivered' | 'failed';
    reason: string | null;
    fault: AttemptFault | null;
    price_cents: number | string;
    occurred_at: Date | string;
  }>(
    db,
    sql`select da.booking_id, b.kassenzeichen, o.id as office_id, o.name as office_name, o.timezone,
               da.attempt, da.outcome, da.reason, da.price_cents, da.occurred_at,
               case when da.outcome <> 'failed' then null
                    when o.refund_rules -> 'faultByReason' ->> da.reason = 'citizen' then 'citizen'
                    else 'courier' end as fault
          from delivery_attempts da
          join bookings b on b.id = da.booking_id
          join offices o on o.id = b.office_id
         where da.company_id = ${input.company.id}
           and da.occurred_at >= ${coarseFrom} and da.occurred_at < ${coarseTo}
           and (da.occurred_at at time zone o.timezone) >= ${first}::timestamp
           and (da.occurred_at at time zone o.timezone) < ${next}::timestamp
           ${officeFilter}
         order by da.occurred_at, da.booking_id, da.attempt
         limit ${limit + 1}`,
  );
  const lines = withinLimit(rows, limit).map((r): CourierInvoiceLine => {
    const occurredAt = new Date(r.occurred_at);
    return {
      bookingId: r.booking_id,
      kassenzeichen: r.kassenzeichen,
      officeId: r.office_id,
      officeName: r.office_name,
      attempt: r.attempt,
      outcome: r.outcome,
      reason: r.reason,
      fault: r.fault,
      payable: r.outcome === 'delivered' || r.fault === 'citizen',
      priceCents: cents(r.price_cents),
      occurredAt,
      localDate: localDate(occurredAt, r.timezone),
      localTime: localTimeOfDay(occurredAt, r.timezone),
    };
  });
  return {
    report: 'courier_invoice',
    company: input.company,
    month: input.month,
    officeId: input.officeId ?? null,
    lines,
    totals: courierInvoiceTotals(lines),
  };
}

export function courierInvoiceTotals(lines: readonly CourierInvoiceLine[]): CourierInvoiceTotals {
  const of = (match: (l: CourierInvoiceLine) => boolean) => {
    const picked = lines.filter(match);
    return { count: picked.length, cents: picked.reduce((s, l) => s + l.priceCents, 0) };
  };
  const delivered = of((l) => l.outcome === 'delivered');
  const citizen = of((l) => l.outcome === 'failed' && l.fault === 'citizen');
  const courier = of((l) => l.outcome === 'failed' && l.fault !== 'citizen');
  return {
    deliveredCount: delivered.count,
    deliveredCents: delivered.cents,
    failedCitizenFaultCount: citizen.count,
    failedCitizenFaultCents: citizen.cents,
    failedCourierFaultCount: courier.count,
    failedCourierFaultCents: courier.cents,
    payableCents: delivered.cents + citizen.cents,
    notPayableCents: courier.cents,
  };
}
