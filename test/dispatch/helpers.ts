import { Webhook } from 'standardwebhooks';
import { createCouriersService } from '../../src/couriers/couriers.service.ts';
import type { VehicleType } from '../../src/offices/offices.table.ts';
import { api, eventually, type TestPlatform } from '../helpers/test-platform.ts';
import { createShift, futureDeliveryDate, insertReadyBooking, localWindow, NEARBY } from '../planning/helpers.ts';
import { must } from '../helpers/must.ts';

type Headers = { headers: Record<string, string> };

/** A courier company registered by an admin, with its key and signing secret. */
export async function registerCompany(
  p: TestPlatform,
  opts: { name: string; zoneIds: string[]; vehicleTypes?: VehicleType[]; webhookUrl?: string | null },
) {
  const admin = await p.staff(['admin'], null);
  const { company, apiKey, signingSecret } = await createCouriersService({ db: p.db, clock: p.clock }).createCompany(
    {
      name: opts.name,
      vehicleTypes: opts.vehicleTypes ?? ['bike', 'ecar'],
      zoneIds: opts.zoneIds,
      pricePerDeliveryCents: 600,
      pricePerFailedAttemptCents: 300,
      contact: { name: 'Dispo', email: 'dispo@example.org' },
      webhookUrl: opts.webhookUrl ?? null,
    },
    admin.user,
  );
  const headers = { authorization: `Bearer ${apiKey}` };
  let seq = 0;
  return {
    company,
    apiKey,
    signingSecret,
    headers,
    /** Posts an event with the API key (its id unique unless given). */
    event: (type: string, data: Record<string, unknown>, opts: { id?: string; timestamp?: Date } = {}) =>
      api(p, 'POST', '/v1/courier/events', {
        headers,
        body: {
          id: opts.id ?? `evt_${company.id.slice(0, 8)}_${Date.now()}_${++seq}`,
          type,
          timestamp: (opts.timestamp ?? p.clock()).toISOString(),
          data,
        },
      }),
    /** The same event, signed with the company's secret (Standard Webhooks), to the webhook endpoint. */
    async signed(body: Record<string, unknown>, opts: { secret?: string; timestamp?: Date; id?: string } = {}) {
      const raw = JSON.stringify(body);
      const id = opts.id ?? `msg_${Date.now()}_${++seq}`;
      const at = opts.timestamp ?? p.clock();
      const signature = new Webhook(opts.secret ?? signingSecret).sign(id, at, raw);
      const res = await fetch(`${p.address}/v1/webhooks/courier/${company.id}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'webhook-id': id,
          'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
          'webhook-signature': signature,
        },
        body: raw,
      });
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- API JSON, checked by the tests
      return { status: res.status, body: (await res.json()) as any };
    },
  };
}

export type TestCompany = Awaited<ReturnType<typeof registerCompany>>;

/**
 * A confirmed plan for one office and day: `count` ready bookings near the office, one bike
 * shift per given company, planned by the planning worker and confirmed by a supervisor.
 */
export async function confirmedDay(
  p: TestPlatform,
  input: {
    officeId: string;
    supervisor: Headers;
    shiftsOf: string[];
    count?: number;
    daysAhead?: number;
    /** Further days the citizens' preferred windows lie on (for a second attempt). */
    alsoDaysAhead?: number[];
  },
) {
  const date = futureDeliveryDate(input.daysAhead ?? 3);
  const windows = [date, ...(input.alsoDaysAhead ?? []).map((d) => futureDeliveryDate(d))].map((d) => localWindow(d, '09:00', '17:00'));
  const bookings = [];
  for (let i = 0; i < (input.count ?? 2); i++) {
    bookings.push(
      await insertReadyBooking(p, input.officeId, {
        location: must(NEARBY[i % NEARBY.length], 'a nearby location'),
        vehicleType: 'bike',
        windows,
      }),
    );
  }
  for (const companyId of input.shiftsOf) {
    await createShift(p, input.officeId, input.supervisor.headers, {
      date,
      vehicleType: 'bike',
      capacity: 20,
      courierCompanyId: companyId,
    });
  }
  const requested = await api(p, 'POST', `/v1/offices/${input.officeId}/plans`, { ...input.supervisor, body: { deliveryDate: date } });
  if (requested.status !== 202 && requested.status !== 200)
    throw new Error(`plan request: ${requested.status} ${JSON.stringify(requested.body)}`);
  const draft = await eventually(
    () => api(p, 'GET', `/v1/offices/${input.officeId}/plans/${date}`, input.supervisor),
    (r) => r.status === 200 && ['draft', 'failed'].includes(r.body.status),
    30_000,
  );
  if (draft.body.status !== 'draft') throw new Error(`plan failed: ${JSON.stringify(draft.body)}`);
  const confirmed = await api(p, 'POST', `/v1/offices/${input.officeId}/plans/${date}/confirm`, input.supervisor);
  if (confirmed.status !== 200) throw new Error(`confirm: ${confirmed.status} ${JSON.stringify(confirmed.body)}`);
  const plan = await api(p, 'GET', `/v1/offices/${input.officeId}/plans/${date}`, input.supervisor);
  const routeIds: string[] = plan.body.routes.map((r: { id: string }) => r.id);
  return { date, bookings, routeIds };
}
