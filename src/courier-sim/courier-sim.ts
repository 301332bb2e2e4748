import { setMaxListeners } from 'node:events';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Logger } from 'pino';
import {
  createRandom,
  decideOffer,
  decideReceiverAnswer,
  decideStopOutcome,
  identityCheckAtDoor,
  type OutcomeShares,
  type ReceiverAnswer,
  type ReceiverShares,
  type StopOutcome,
} from './decisions.ts';
import { createPlatformClient, PlatformError, type CompanyCredentials, type CourierEvent, type EventTransport } from './platform-client.ts';
import { startSimReceiver } from './receiver.ts';
import { createRouteBook, type InboundMessage, type SimRoute, type SimStop } from './route-book.ts';
import { driveTimeline } from './timeline.ts';

export type VehicleType = 'bike' | 'ecar';

export interface SimRegistration {
  adminUsername: string;
  adminPassword: string;
  companyName: string;
  vehicleTypes: VehicleType[];
  /** Zones the company serves; default: every zone of the office. */
  zoneIds?: string[];
}

export interface SimOptions {
  platformUrl: string;
  /** An existing company (id, API key, signing secret); else `register` creates one. */
  credentials?: CompanyCredentials;
  register?: SimRegistration;
  /** Credentials are kept here (mode 0600) after a registration and reused on the next start. */
  stateFile?: string;
  /** The office (by id or slug) for the registration's zones and the announced shifts. */
  office?: { id?: string; slug?: string };
  host: string;
  port: number;
  /** The webhook URL the platform is given (default http://host:port/webhooks). */
  webhookUrl?: string;
  /** Simulated seconds per real second. */
  timeFactor: number;
  outcomes: OutcomeShares;
  declineShare: number;
  receiver: ReceiverShares;
  transport: EventTransport;
  seed: number;
  pollMs: number;
  /** Simulated time at each door. */
  doorSeconds: number;
  courierRef: string;
  /** Shifts announced at start for the next N delivery days of the office (0: none). */
  shiftDays: number;
  shift: { vehicleCount: number; capacity: number };
}

export interface SimHooks {
  /** Decides a door instead of the shares (tests). */
  decideStop?: (stop: SimStop, route: SimRoute) => StopOutcome | undefined;
  /** Answers the n-th (1-based) reception of a webhook-id instead of the shares (tests). */
  answerWebhook?: (webhookId: string, reception: number) => ReceiverAnswer | undefined;
}

export interface SimStats {
  messagesReceived: number;
  duplicatesIgnored: number;
  staleIgnored: number;
  signatureRejected: number;
  /** Webhooks answered 500 or 429 on purpose (not processed). */
  answeredWithError: number;
  offersReceived: number;
  accepted: number;
  declined: number;
  routesDriven: number;
  delivered: number;
  failed: number;
  eventsPosted: number;
  eventRetries: number;
  eventsRefused: number;
}

const ON_THE_ROAD = new Set(['handed_over', 'started']);
const AT_DOOR_STATUSES = new Set(['handed_over', 'out_for_delivery']);

/**
 * The reference courier company: receives the platform's webhooks, takes offers, waits for the
 * four-eyes handover, and drives each route over accelerated time in its planned order, reporting
 * every step. Logs ids and outcomes only, never a recipient's name, phone or address.
 */
export function createCourierSim(options: SimOptions, deps: { logger: Logger; hooks?: SimHooks }) {
  const log = deps.logger;
  const random = createRandom(options.seed);
  const book = createRouteBook();
  const stats: SimStats = {
    messagesReceived: 0,
    duplicatesIgnored: 0,
    staleIgnored: 0,
    signatureRejected: 0,
    answeredWithError: 0,
    offersReceived: 0,
    accepted: 0,
    declined: 0,
    routesDriven: 0,
    delivered: 0,
    failed: 0,
    eventsPosted: 0,
    eventRetries: 0,
    eventsRefused: 0,
  };
  const client = createPlatformClient({
    baseUrl: options.platformUrl,
    onRetry: ({ eventId, attempt, reason }) => {
      stats.eventRetries++;
      log.warn({ eventId, attempt, reason }, 'event post failed; retrying with the same event id');
    },
  });
  let credentials: CompanyCredentials | null = options.credentials ?? null;
  let officeId: string | null = options.office?.id ?? null;
  /** Accepted routes waiting for their handover. */
  const watching = new Set<string>();
  /** How often each webhook-id came in (for the answer hook). */
  const receptions = new Map<string, number>();
  const driving = new Map<string, Promise<void>>();
  const tasks = new Set<Promise<void>>();
  const abort = new AbortController();
  // Every route being driven and every event being retried waits on this one signal: a busy day
  // has dozens of listeners on purpose, not a leak (Node warns from 11 on).
  setMaxListeners(0, abort.signal);
  let poller: NodeJS.Timeout | null = null;
  let receiver: Awaited<ReturnType<typeof startSimReceiver>> | null = null;

  const creds = () => {
    if (!credentials) throw new Error('the courier sim has no company yet');
    return credentials;
  };

  /** Runs work off the receiver's answer path; failures are logged, never thrown into the server. */
  const track = (name: string, work: () => Promise<void>) => {
    const task = work()
      .catch((err: unknown) => {
        if (!abort.signal.aborted) log.error({ err: describe(err), task: name }, 'courier sim task failed');
      })
      .finally(() => tasks.delete(task));
    tasks.add(task);
  };

  function onMessage(webhookId: string, body: unknown) {
    stats.messagesReceived++;
    const action = book.receive(webhookId, body as InboundMessage);
    switch (action.kind) {
      case 'duplicate':
        stats.duplicatesIgnored++;
        log.debug({ webhookId }, 'duplicate webhook ignored');
        return;
      case 'stale':
        stats.staleIgnored++;
        log.info({ webhookId, routeId: action.routeId }, 'older route version ignored');
        return;
      case 'offered':
        stats.offersReceived++;
        log.info({ routeId: action.route.routeId, version: action.route.version, stops: action.route.stops.length }, 'route offered');
        track('answer offer', () => answerOffer(action.route));
        return;
      case 'updated':
        log.info({ routeId: action.route.routeId, version: action.route.version, stops: action.route.stops.length }, 'route updated');
        return;
      case 'cancelled':
        watching.delete(action.routeId);
        log.info({ routeId: action.routeId, reason: action.reason }, 'route cancelled');
        return;
      case 'unknown_type':
        log.warn({ webhookId, type: action.type }, 'unknown webhook type ignored');
    }
  }

  async function answerOffer(route: SimRoute) {
    const c = creds();
    if (route.offerDeadline && Date.parse(route.offerDeadline) < Date.now()) {
      log.info({ routeId: route.routeId }, 'offer deadline passed; not answered');
      return;
    }
    const choice = decideOffer(random, options.declineShare);
    try {
      if (choice === 'decline') {
        if (options.transport === 'signed') {
          await post(eventOf('route.declined', route.routeId, { routeId: route.routeId, reason: 'no rider free (simulated)' }));
        } else {
          await client.declineRoute(c, route.routeId, 'no rider free (simulated)');
        }
        stats.declined++;
        log.info({ routeId: route.routeId }, 'offer declined');
        return;
      }
      if (options.transport === 'signed') await post(eventOf('route.accepted', route.routeId, { routeId: route.routeId }));
      else await client.acceptRoute(c, route.routeId);
      stats.accepted++;
      watching.add(route.routeId);
      log.info({ routeId: route.routeId }, 'offer accepted; waiting for the handover');
    } catch (err) {
      if (err instanceof PlatformError && err.status === 409) {
        log.warn({ routeId: route.routeId, code: err.code }, 'offer could not be answered');
        return;
      }
      throw err;
    }
  }

  const eventOf = (type: string, routeId: string, data: Record<string, unknown>, jobId?: string): CourierEvent => ({
    // Deterministic per route and step: a resend after a crash or a retry is the same event.
    id: ['sim', type, routeId, ...(jobId ? [jobId] : [])].join('.'),
    type,
    timestamp: new Date().toISOString(),
    data,
  });

  async function post(event: CourierEvent): Promise<string | null> {
    try {
      const { outcome } = await client.postEvent(creds(), options.transport, event, abort.signal);
      stats.eventsPosted++;
      log.info({ eventId: event.id, type: event.type, outcome }, 'event reported');
      return outcome;
    } catch (err) {
      if (err instanceof PlatformError && err.status < 500) {
        stats.eventsRefused++;
        log.warn({ eventId: event.id, type: event.type, status: err.status, code: err.code }, 'event refused by the platform');
        return null;
      }
      throw err;
    }
  }

  async function poll() {
    for (const routeId of [...watching]) {
      if (abort.signal.aborted) return;
      const found = await client.getRoute(creds(), routeId).catch((err: unknown) => {
        // Not ours any more (offered to another company meanwhile): nothing to wait for.
        if (err instanceof PlatformError && err.status === 404) watching.delete(routeId);
        else log.warn({ routeId, err: describe(err) }, 'route poll failed');
        return null;
      });
      if (!found) continue;
      if (ON_THE_ROAD.has(found.dispatchStatus)) {
        watching.delete(routeId);
        startDrive(found.route, found.jobs);
      } else if (!['accepted', 'offered'].includes(found.dispatchStatus)) {
        watching.delete(routeId);
        log.info({ routeId, dispatchStatus: found.dispatchStatus }, 'stopped watching route');
      }
    }
  }

  function startDrive(route: SimRoute, jobs: { jobId: string; status: string }[]) {
    if (driving.has(route.routeId)) return;
    const run = drive(route, jobs)
      .catch((err: unknown) => {
        if (!abort.signal.aborted) log.error({ routeId: route.routeId, err: describe(err) }, 'drive failed');
      })
      .finally(() => driving.delete(route.routeId));
    driving.set(route.routeId, run);
  }

  async function drive(route: SimRoute, jobs: { jobId: string; status: string }[]) {
    stats.routesDriven++;
    const open = new Set(jobs.filter((j) => AT_DOOR_STATUSES.has(j.status)).map((j) => j.jobId));
    const stops = route.stops.filter((s) => open.has(s.jobId));
    const steps = driveTimeline({ ...route, stops }, { timeFactor: options.timeFactor, doorSeconds: options.doorSeconds });
    const byJob = new Map(stops.map((s) => [s.jobId, s]));
    const failed: string[] = [];
    const started = Date.now();
    log.info(
      { routeId: route.routeId, stops: stops.length, realSeconds: Math.round((steps.at(-1)?.atMs ?? 0) / 1000) },
      'route handed over; driving',
    );
    const ref = { routeId: route.routeId };
    for (const step of steps) {
      await sleep(started + step.atMs - Date.now(), abort.signal);
      switch (step.action) {
        case 'start':
          await post(eventOf('route.started', route.routeId, ref));
          break;
        case 'arrive':
          await post(eventOf('stop.arrived', route.routeId, { ...ref, jobId: step.jobId }, step.jobId));
          break;
        case 'door': {
          const stop = byJob.get(step.jobId);
          if (!stop) break;
          const outcome = deps.hooks?.decideStop?.(stop, route) ?? decideStopOutcome(random, options.outcomes);
          const check = (passed: boolean) =>
            identityCheckAtDoor({
              random,
              location: stop.location,
              requiredMethods: stop.identityCheck.requiredMethods,
              passed,
              courierRef: options.courierRef,
              at: new Date(),
            });
          if (outcome.kind === 'delivered') {
            const result = await post(
              eventOf('stop.delivered', route.routeId, { ...ref, jobId: stop.jobId, identityCheck: check(true) }, stop.jobId),
            );
            if (result === 'counted_as_failed') failed.push(stop.jobId);
            else stats.delivered++;
          } else {
            await post(
              eventOf(
                'stop.failed',
                route.routeId,
                {
                  ...ref,
                  jobId: stop.jobId,
                  reason: outcome.reason,
                  ...(outcome.reason === 'identity_mismatch' ? { identityCheck: check(false) } : {}),
                },
                stop.jobId,
              ),
            );
            failed.push(stop.jobId);
          }
          if (failed.includes(stop.jobId)) stats.failed++;
          break;
        }
        case 'finish':
          if (failed.length > 0) await post(eventOf('document.returned', route.routeId, { ...ref, jobIds: failed }));
          await post(eventOf('route.completed', route.routeId, ref));
          log.info({ routeId: route.routeId, delivered: stops.length - failed.length, failed: failed.length }, 'route completed');
          break;
      }
    }
  }

  async function resolveOffice(): Promise<string> {
    if (officeId) return officeId;
    const slug = options.office?.slug;
    if (!slug) throw new Error('the courier sim needs an office (id or slug)');
    const offices = await client.listOffices();
    const office = offices.data.find((o) => o.slug === slug);
    if (!office) throw new Error(`no office with slug ${slug}`);
    return (officeId = office.id);
  }

  async function registerCompany(webhookUrl: string): Promise<CompanyCredentials> {
    const reg = options.register;
    if (!reg)
      throw new Error('the courier sim needs either credentials (company id, API key, signing secret) or admin credentials to register');
    const { token } = await client.signIn(reg.adminUsername, reg.adminPassword);
    const office = await resolveOffice();
    const zoneIds =
      reg.zoneIds ??
      (await client.listZones(token, office)).data
        .filter((z) => z.active && z.vehicleTypes.some((v) => reg.vehicleTypes.includes(v as VehicleType)))
        .map((z) => z.id);
    const created = await client.createCompany(token, {
      name: reg.companyName,
      vehicleTypes: reg.vehicleTypes,
      zoneIds,
      pricePerDeliveryCents: 600,
      pricePerFailedAttemptCents: 300,
      contact: { name: 'Disposition (Simulator)', email: 'dispo@courier-sim.invalid' },
      webhookUrl,
    });
    log.info({ companyId: created.company.id, zones: zoneIds.length, webhookUrl }, 'courier company registered');
    return { companyId: created.company.id, apiKey: created.apiKey, signingSecret: created.signingSecret };
  }

  function loadState(): CompanyCredentials | null {
    if (!options.stateFile || !existsSync(options.stateFile)) return null;
    const parsed = JSON.parse(readFileSync(options.stateFile, 'utf8')) as Partial<CompanyCredentials> & { platformUrl?: string };
    if (parsed.platformUrl !== options.platformUrl || !parsed.companyId || !parsed.apiKey || !parsed.signingSecret) return null;
    return { companyId: parsed.companyId, apiKey: parsed.apiKey, signingSecret: parsed.signingSecret };
  }

  function saveState(c: CompanyCredentials) {
    if (!options.stateFile) return;
    writeFileSync(options.stateFile, JSON.stringify({ platformUrl: options.platformUrl, ...c }, null, 2), { mode: 0o600 });
    chmodSync(options.stateFile, 0o600);
  }

  /** Announces one shift covering the office's delivery hours that day; null when it does not deliver then. */
  async function announceShift(date: string, vehicleType: VehicleType, shift = options.shift) {
    const office = await resolveOffice();
    const { days } = await client.deliverySlots(office, date, 1);
    const day = days.find((d) => d.date === date);
    if (!day || day.closed || day.windows.length === 0) return null;
    const starts = day.windows.map((w) => Date.parse(w.start));
    const ends = day.windows.map((w) => Date.parse(w.end));
    return client.announceShift(creds(), {
      officeId: office,
      deliveryDate: date,
      vehicleType,
      vehicleCount: shift.vehicleCount,
      capacity: shift.capacity,
      shiftStart: new Date(Math.min(...starts)).toISOString(),
      shiftEnd: new Date(Math.max(...ends)).toISOString(),
    });
  }

  async function announceUpcomingShifts(vehicleTypes: VehicleType[]) {
    const office = await resolveOffice();
    const { days } = await client.deliverySlots(office, undefined, Math.min(120, options.shiftDays * 2 + 7));
    let count = 0;
    for (const day of days.filter((d) => !d.closed && d.windows.length > 0).slice(0, options.shiftDays)) {
      const existing = await client.listOwnShifts(creds(), office, day.date);
      for (const vehicleType of vehicleTypes) {
        if (existing.data.some((s) => s.vehicleType === vehicleType)) continue;
        await announceShift(day.date, vehicleType);
        count++;
      }
    }
    log.info({ officeId: office, days: options.shiftDays, announced: count }, 'shifts announced');
  }

  /** After a restart: routes already accepted or on the road, and offers still open. */
  async function catchUp() {
    const { data } = await client.listRoutes(creds());
    for (const r of data) {
      if (r.dispatchStatus === 'accepted' || ON_THE_ROAD.has(r.dispatchStatus)) watching.add(r.routeId);
      else if (r.dispatchStatus === 'offered') {
        const found = await client.getRoute(creds(), r.routeId);
        const action = book.receive(`catch-up.${r.routeId}.${r.version}`, {
          type: 'route.offered',
          timestamp: new Date().toISOString(),
          data: found.route,
        });
        if (action.kind === 'offered') track('answer offer', () => answerOffer(action.route));
      }
    }
  }

  return {
    stats,
    book,
    client,
    credentials: () => creds(),
    announceShift,
    /** Routes being driven right now. */
    driving: () => [...driving.keys()],

    /** Listens, registers (or reuses the company), announces shifts, catches up, and starts polling. */
    async start() {
      receiver = await startSimReceiver({
        host: options.host,
        port: options.port,
        secret: () => credentials?.signingSecret ?? null,
        answer: (webhookId) => {
          const reception = (receptions.get(webhookId) ?? 0) + 1;
          if (receptions.size < 10_000) receptions.set(webhookId, reception);
          const answer = deps.hooks?.answerWebhook?.(webhookId, reception) ?? decideReceiverAnswer(random, options.receiver);
          if (answer.kind !== 'accept') stats.answeredWithError++;
          return answer;
        },
        onMessage,
        onRejected: (reason) => {
          stats.signatureRejected++;
          log.warn({ reason }, 'webhook rejected');
        },
      });
      const webhookUrl =
        options.webhookUrl ?? `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${receiver.port}/webhooks`;
      if (!credentials) {
        const saved = loadState();
        // A state file from an earlier database (DATA_DIR reset) names a company the platform no longer knows.
        if (saved && options.register && !(await client.knowsCompany(saved)))
          log.warn('saved courier company unknown to the platform; registering anew');
        else credentials = saved;
      }
      if (!credentials) {
        credentials = await registerCompany(webhookUrl);
        saveState(credentials);
      }
      if (options.shiftDays > 0) await announceUpcomingShifts(options.register?.vehicleTypes ?? ['bike', 'ecar']);
      await catchUp();
      let polling = false;
      // One poll at a time: a slow platform must not pile them up.
      poller = setInterval(() => {
        if (polling) return;
        polling = true;
        track('poll', () => poll().finally(() => (polling = false)));
      }, options.pollMs);
      log.info(
        { companyId: credentials.companyId, webhookUrl, transport: options.transport, timeFactor: options.timeFactor },
        'courier sim running',
      );
      return { webhookUrl, companyId: credentials.companyId, port: receiver.port };
    },

    async close() {
      abort.abort();
      if (poller) clearInterval(poller);
      await receiver?.close();
      await Promise.allSettled([...driving.values(), ...tasks]);
    },
  };
}

export type CourierSim = ReturnType<typeof createCourierSim>;

/** Waits `ms` (or not at all when due); rejects when the sim is closed. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(new Error('courier sim closed'));
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new Error('courier sim closed'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
