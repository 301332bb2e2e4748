/**
 * The set-up of `bench:api`'s courier events: a route handed over to a courier company, made
 * through the API the way an office and a company make one (no rows written behind the API's back):
 *
 *   admin registers a company → supervisor announces its shift → three citizens book and pay
 *   (signed Stripe events) → clerk scans the documents in → supervisor plans the day (the
 *   planning worker solves it) and confirms → the company accepts (signed `route.accepted`) →
 *   clerk and supervisor hand the route over (four eyes).
 *
 * The measured event is then `stop.arrived` for a stop of that route, signed (Standard Webhooks)
 * and each with an id of its own: on a handed-over route it is applied (its id claimed, the route
 * locked and read, the stop checked), the cheapest report from the road that changes something.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Webhook } from 'standardwebhooks';
import { demoCredentialsPath } from '../src/demo/demo-staff.ts';
import type { OneRequest } from './api-load.ts';

/** A booking the bench created, as it needs it to pay and track it. */
export interface BenchBooking {
  id: string;
  officeId: string;
  kassenzeichen: string;
  amountCents: number;
  paymentIntentId: string;
  trackingToken: string;
}

const ADDRESS = { street: 'Königstraße', houseNumber: '1', postalCode: '70173', city: 'Stuttgart' };
/** Inside the demo office's 4 km bicycle circle. */
const STOPS: [number, number][] = [
  [9.185, 48.78],
  [9.165, 48.77],
  [9.19, 48.768],
];

export async function setUpCourierRoute(opts: {
  apiUrl: string;
  officeId: string;
  dataDir: string;
  pay(booking: BenchBooking): Promise<void>;
}) {
  const started = performance.now();
  const { apiUrl, officeId } = opts;
  const call = async <T>(method: string, p: string, body?: unknown, headers: Record<string, string> = {}, expect = [200, 201, 202]) => {
    const res = await fetch(`${apiUrl}${p}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!expect.includes(res.status)) throw new Error(`courier set-up: ${method} ${p}: ${res.status} ${text.slice(0, 500)}`);
    return (text ? JSON.parse(text) : null) as T;
  };
  const passwords = Object.fromEntries(
    readFileSync(demoCredentialsPath(opts.dataDir), 'utf8')
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => l.trim().split(/\s+/).slice(0, 2)),
  ) as Record<string, string>;
  const signIn = async (username: string) => {
    const { token } = await call<{ token: string }>('POST', '/v1/auth/sessions', { username, password: passwords[username] });
    return { authorization: `Bearer ${token}` };
  };
  const [admin, supervisor, clerk] = [await signIn('admin'), await signIn('supervisor'), await signIn('clerk')];

  // The company, for the office's bicycle zone.
  const zones = await call<{ data: { id: string; vehicleTypes: string[] }[] }>('GET', `/v1/offices/${officeId}/zones`, undefined, admin);
  const zoneIds = zones.data.filter((z) => z.vehicleTypes.includes('bike')).map((z) => z.id);
  const registered = await call<{ company: { id: string }; apiKey: string; signingSecret: string }>(
    'POST',
    '/v1/courier-companies',
    {
      name: `Bench Velo ${randomBytes(3).toString('hex')}`,
      vehicleTypes: ['bike'],
      zoneIds,
      pricePerDeliveryCents: 600,
      pricePerFailedAttemptCents: 300,
      contact: { name: 'Dispo', email: 'dispo@bench.example' },
      webhookUrl: null,
    },
    admin,
  );
  const companyId = registered.company.id;
  const company = { authorization: `Bearer ${registered.apiKey}` };
  const webhook = new Webhook(registered.signingSecret);

  // Three bookings on the first offered delivery day, paid and scanned in.
  const bookings: (BenchBooking & { applicationNumber: string })[] = [];
  let day: { date: string; window: { start: string; end: string } } | null = null;
  for (const [i, location] of STOPS.entries()) {
    const quote = await call<{ id: string; deliverySlots: { days: { date: string; windows: { start: string; end: string }[] }[] } }>(
      'POST',
      '/v1/quotes',
      { officeId, address: ADDRESS, location },
    );
    if (!day) {
      const first = quote.deliverySlots.days.find((d) => d.windows.length > 0);
      const window = first?.windows[0];
      if (!first || !window) throw new Error('courier set-up: the quote offers no delivery day');
      day = { date: first.date, window };
    }
    const applicationNumber = `R${randomBytes(5).toString('hex').toUpperCase()}${i}`;
    const created = await call<{
      booking: Omit<BenchBooking, 'paymentIntentId' | 'trackingToken'>;
      payment: { paymentIntentId: string };
      trackingToken: string;
    }>(
      'POST',
      '/v1/bookings',
      {
        quoteId: quote.id,
        vehicleType: 'bike',
        applicationNumber,
        // A passport travels without a PIN letter, so nothing waits for the citizen's confirmation.
        documentType: 'passport',
        recipient: { name: 'Erika Mustermann', phone: '+49 711 1234567' },
        address: ADDRESS,
        preferredWindows: [day.window],
        consent: { powerOfAttorney: true, textVersion: '2026-01' },
      },
      { 'idempotency-key': `bench-route-${randomBytes(8).toString('hex')}` },
    );
    const booking = {
      ...created.booking,
      paymentIntentId: created.payment.paymentIntentId,
      trackingToken: created.trackingToken,
      applicationNumber,
    };
    await opts.pay(booking);
    await call('POST', '/v1/document-arrivals', { officeId, applicationNumber }, clerk);
    bookings.push(booking);
  }
  if (!day) throw new Error('courier set-up: no delivery day');
  const date = day.date;

  await call(
    'POST',
    `/v1/offices/${officeId}/courier-shifts`,
    {
      deliveryDate: date,
      vehicleType: 'bike',
      vehicleCount: 1,
      capacity: 20,
      shiftStart: day.window.start,
      shiftEnd: day.window.end,
      courierCompanyId: companyId,
    },
    supervisor,
  );
  await call('POST', `/v1/offices/${officeId}/plans`, { deliveryDate: date }, supervisor);
  type PlanView = { status: string; routes: { id: string; courierCompanyId: string | null; stops: unknown[] }[]; unassigned: unknown[] };
  let plan: PlanView | null = null;
  const until = Date.now() + 120_000;
  while (Date.now() < until) {
    plan = await call<PlanView>('GET', `/v1/offices/${officeId}/plans/${date}`, undefined, supervisor);
    if (plan.status === 'draft' || plan.status === 'failed') break;
    await new Promise((r) => setTimeout(r, 250));
  }
  if (plan?.status !== 'draft') throw new Error(`courier set-up: the plan did not become a draft: ${JSON.stringify(plan).slice(0, 500)}`);
  await call('POST', `/v1/offices/${officeId}/plans/${date}/confirm`, undefined, supervisor);
  const confirmed = await call<PlanView>('GET', `/v1/offices/${officeId}/plans/${date}`, undefined, supervisor);
  const route = confirmed.routes.find((r) => r.courierCompanyId === companyId);
  if (!route) throw new Error(`courier set-up: no route for the company: ${JSON.stringify(confirmed).slice(0, 500)}`);
  const routeId = route.id;

  let seq = 0;
  const signed = (type: string, data: Record<string, unknown>): OneRequest => {
    const id = `bench.${randomBytes(4).toString('hex')}.${++seq}`;
    const now = new Date();
    const body = JSON.stringify({ id, type, timestamp: now.toISOString(), data });
    return {
      method: 'POST',
      path: `/v1/webhooks/courier/${companyId}`,
      headers: {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': webhook.sign(id, now, body),
      },
      body,
    };
  };
  const send = async (req: OneRequest) => {
    const res = await fetch(`${apiUrl}${req.path}`, { method: req.method, headers: req.headers, body: req.body });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`courier set-up: ${req.path}: ${res.status} ${text.slice(0, 500)}`);
    return JSON.parse(text) as { outcome: string };
  };
  const accepted = await send(signed('route.accepted', { routeId }));
  if (accepted.outcome !== 'applied') throw new Error(`courier set-up: route.accepted was ${accepted.outcome}`);

  const scanned = bookings.filter((b) => JSON.stringify(route.stops).includes(b.id)).map((b) => b.applicationNumber);
  const handover = await call<{ id: string }>(
    'POST',
    `/v1/routes/${routeId}/handover`,
    { scanned, courierName: 'Mia Berger', courierRef: 'rider-7' },
    clerk,
  );
  await call('POST', `/v1/handovers/${handover.id}/confirm`, undefined, supervisor);

  const view = await call<{ dispatchStatus: string; route: { stops: { jobId: string }[] } }>(
    'GET',
    `/v1/courier/routes/${routeId}`,
    undefined,
    company,
  );
  const jobIds = view.route.stops.map((s) => s.jobId);
  if (jobIds.length === 0) throw new Error('courier set-up: the route has no stops');
  const probe = await send(signed('stop.arrived', { routeId, jobId: jobIds[0] }));
  if (probe.outcome !== 'applied') throw new Error(`courier set-up: stop.arrived was ${probe.outcome}, not applied`);

  let next = 0;
  return {
    routeId,
    companyId,
    dispatchStatus: view.dispatchStatus,
    jobIds,
    setupSeconds: Number(((performance.now() - started) / 1000).toFixed(1)),
    eventRequest: (): OneRequest => signed('stop.arrived', { routeId, jobId: jobIds[next++ % jobIds.length] }),
  };
}
