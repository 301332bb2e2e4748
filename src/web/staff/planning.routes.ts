import type { FastifyReply, FastifyRequest } from 'fastify';
import { claimForm, formKeyOf, newFormKey } from '../form-once.ts';
import type { Feature, FeatureCollection } from 'geojson';
import type { StaffPrincipal } from '../../auth/auth.service.ts';
import type { Office } from '../../offices/offices.table.ts';
import type { CourierShift } from '../../planning/planning.table.ts';
import { AppError } from '../../shared/errors.ts';
import type { App } from '../../shared/app-types.ts';
import { addDays, isValidDeliveryDate, localDate, zonedTimeToUtc } from '../../shared/zoned-time.ts';
import { SECTION_ROLES } from './console-sections.ts';
import { formText, requireStaff, signedInStaff, staffView, UUID } from './staff-session.ts';
import type { StaffConsoleDeps } from './staff.routes.ts';

type Query = Record<string, unknown>;
type Body = Record<string, unknown>;
type Deps = StaffConsoleDeps & { sandbox: boolean; map?: { tileUrl: string | null; tileAttribution: string | null } };

const SHIFT_SCOPE = 'web:courier_shift';
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
const VEHICLES = ['bike', 'ecar'] as const;
/** The service's refusals the page explains in its own words (the rest show the service's message). */
const KNOWN_REFUSALS = new Set([
  'plan.not_found',
  'plan.stale',
  'plan.in_progress',
  'plan.already_confirmed',
  'plan.not_draft',
  'plan.not_confirmed',
  'plan.empty',
  'planning.date_out_of_range',
  'planning.queue_unavailable',
  'courier_shift.outside_day',
  'courier_shift.invalid_window',
]);

/**
 * The supervisor's planning console: a delivery day's courier shifts (and adding one), starting a
 * plan and watching it run, the plan on a map (GeoJSON layers only) with its routes and stops as a
 * table beside it, the bookings left unassigned with the solver's reasons, confirm and withdraw.
 * Every operation is the API's planning service, with its rules and audit.
 */
export async function planningConsoleRoutes(app: App, deps: Deps) {
  const guard = requireStaff(deps.auth, deps, SECTION_ROLES.planning);

  /** The supervisor's own office: supervisors always belong to one, and plan only its days. */
  async function officeOf(request: FastifyRequest): Promise<Office> {
    const officeId = signedInStaff(request).officeId;
    const office = officeId ? await deps.offices.findById(officeId) : undefined;
    if (!office) throw new AppError({ code: 'web.no_office', status: 403, message: 'Only staff of a citizen office plan its days' });
    return office;
  }

  /** The day asked for, or the next one in the office's time zone (today's routes are usually confirmed). */
  const dayOf = (v: unknown, office: Office, now: Date) =>
    typeof v === 'string' && DATE.test(v) && isValidDeliveryDate(v) ? v : addDays(localDate(now, office.timezone), 1);

  async function render(
    request: FastifyRequest,
    reply: FastifyReply,
    input: {
      officeId?: unknown;
      day?: unknown;
      shiftForm?: Record<string, string>;
      errors?: Record<string, { key: string }>;
      problem?: unknown;
      done?: string;
    },
    status = 200,
  ) {
    const staff = signedInStaff(request);
    const office = await officeOf(request);
    const day = dayOf(input.day, office, deps.clock());
    const [{ shifts }, planned, companies] = await Promise.all([
      deps.planning.listCourierShifts(office.id, day, staff),
      deps.planning.getPlan(office.id, day, staff).catch((err: unknown) => {
        if (err instanceof AppError && err.code === 'plan.not_found') return null;
        throw err;
      }),
      deps.couriers.listCompanies(),
    ]);
    const companyName = new Map(companies.map((c) => [c.id, c.name]));
    const running = planned?.plan.status === 'queued' || planned?.plan.status === 'running';
    return staffView(
      request,
      reply,
      deps,
      'staff/planning.eta',
      {
        section: 'planning',
        title: 'pl.title',
        office,
        day,
        timeZone: office.timezone,
        shifts: shifts.map((s: CourierShift) => ({
          ...s,
          companyName: s.courierCompanyId ? (companyName.get(s.courierCompanyId) ?? '') : '',
        })),
        companies: companies.filter((c) => c.status === 'active'),
        plan: planned?.plan ?? null,
        routes: planned?.routes ?? [],
        unassigned: planned?.unassigned ?? [],
        // While the solver runs, a small script shows its progress (public/plan-progress.js).
        running,
        formKey: newFormKey(),
        shiftForm: input.shiftForm ?? {
          vehicleType: 'bike',
          vehicleCount: '1',
          capacity: '20',
          start: '08:00',
          end: '16:00',
          maxDistanceKm: '',
          courierCompanyId: '',
        },
        errors: input.errors ?? {},
        problem: input.problem ?? null,
        done: input.done ?? null,
        map: {
          geojsonUrl: `/amt/planung/karte.geojson?tag=${day}`,
          tileUrl: deps.map?.tileUrl ?? null,
          tileAttribution: deps.map?.tileAttribution ?? null,
        },
      },
      status,
    );
  }

  /** A service refusal (4xx) is shown on the day's page; anything else is a real error. */
  const refusal = (err: unknown) => {
    // The queue being down is a 503 the page explains: the plan is queued, and asking again adds its job.
    const explained = err instanceof AppError && (err.code === 'planning.queue_unavailable' || err.code === 'plan.not_found');
    if (!(err instanceof AppError) || (!explained && (err.status >= 500 || err.status === 404))) throw err;
    return KNOWN_REFUSALS.has(err.code) ? { key: `pl.refused.${err.code}` } : { text: err.message };
  };
  const back = (day: string, done: string) => `/amt/planung?tag=${day}&erledigt=${done}`;

  app.get('/amt/planung', { schema: { hide: true }, preHandler: guard }, async (request, reply) => {
    const q = request.query as Query;
    const done = ['schicht', 'geplant', 'bestaetigt', 'zurueckgenommen'].find((d) => d === q.erledigt);
    return render(request, reply, { day: q.tag, done });
  });

  app.post<{ Body: Body }>(
    '/amt/planung/schichten',
    { schema: { hide: true }, preHandler: [guard, app.csrfProtection] },
    async (request, reply) => {
      const body = request.body ?? {};
      const office = await officeOf(request);
      const day = dayOf(body.tag, office, deps.clock());
      const form = {
        vehicleType: formText(body.vehicleType, 10),
        vehicleCount: formText(body.vehicleCount, 4),
        capacity: formText(body.capacity, 4),
        start: formText(body.start, 5),
        end: formText(body.end, 5),
        maxDistanceKm: formText(body.maxDistanceKm, 5),
        courierCompanyId: formText(body.courierCompanyId, 36),
      };
      const int = (v: string, min: number, max: number) => (/^\d{1,4}$/.test(v) && Number(v) >= min && Number(v) <= max ? Number(v) : null);
      const vehicleCount = int(form.vehicleCount, 1, 50);
      const capacity = int(form.capacity, 1, 500);
      const maxKm = form.maxDistanceKm === '' ? undefined : int(form.maxDistanceKm, 1, 1000);
      const vehicleType = VEHICLES.find((v) => v === form.vehicleType);
      const errors = {
        ...(!vehicleType ? { vehicleType: { key: 'pl.error.vehicleType' } } : {}),
        ...(vehicleCount === null ? { vehicleCount: { key: 'pl.error.vehicleCount' } } : {}),
        ...(capacity === null ? { capacity: { key: 'pl.error.capacity' } } : {}),
        ...(!TIME.test(form.start) ? { start: { key: 'pl.error.time' } } : {}),
        ...(!TIME.test(form.end)
          ? { end: { key: 'pl.error.time' } }
          : TIME.test(form.start) && form.end <= form.start
            ? { end: { key: 'pl.error.endAfterStart' } }
            : {}),
        ...(maxKm === null ? { maxDistanceKm: { key: 'pl.error.maxDistance' } } : {}),
        ...(form.courierCompanyId !== '' && !UUID.test(form.courierCompanyId) ? { courierCompanyId: { key: 'pl.error.company' } } : {}),
      };
      // A shift is capacity the solver plans with: the form sent twice (a double click) must add it once.
      const formKey = formKeyOf(body.formKey);
      const again = (extra: { errors?: Record<string, { key: string }>; problem?: unknown }, status: number) =>
        render(request, reply, { day, shiftForm: form, ...extra }, status);
      if (Object.keys(errors).length > 0 || !vehicleType || vehicleCount === null || capacity === null || maxKm === null)
        return again({ errors }, 422);
      const claim = formKey
        ? await claimForm(deps.db, { scope: SHIFT_SCOPE, key: formKey, contents: { officeId: office.id, day, form }, now: deps.clock() })
        : null;
      // Sent before: the shift is there (or being added); the day's page shows it.
      if (claim && !claim.fresh) return reply.redirect(back(day, 'schicht'), 303);
      try {
        const { shift } = await deps.planning.createCourierShift(
          office.id,
          {
            deliveryDate: day,
            vehicleType,
            vehicleCount,
            capacity,
            // Times of the office's day, stored as UTC instants.
            shiftStart: zonedTimeToUtc(day, form.start, office.timezone).toISOString(),
            shiftEnd: zonedTimeToUtc(day, form.end, office.timezone).toISOString(),
            maxDistanceMetres: maxKm === undefined ? undefined : maxKm * 1000,
            courierCompanyId: form.courierCompanyId || undefined,
          },
          { staff: signedInStaff(request) },
          String(request.id),
        );
        await claim?.made(shift.id);
      } catch (err) {
        // Refused: the key is spent, so the form comes back with a new one.
        return again({ problem: refusal(err) }, (err as AppError).status);
      }
      return reply.redirect(back(day, 'schicht'), 303);
    },
  );

  // Start, confirm, withdraw: one form each, the day as a hidden field.
  const actions = [
    [
      'planen',
      'geplant',
      (o: Office, d: string, s: StaffPrincipal, id: string) => deps.planning.requestPlan(o.id, d, { staff: s, requestId: id }),
    ],
    ['bestaetigen', 'bestaetigt', (o: Office, d: string, s: StaffPrincipal, id: string) => deps.planning.confirmPlan(o.id, d, s, id)],
    [
      'zuruecknehmen',
      'zurueckgenommen',
      (o: Office, d: string, s: StaffPrincipal, id: string) => deps.planning.withdrawPlan(o.id, d, s, id),
    ],
  ] as const;
  for (const [path, done, act] of actions) {
    app.post<{ Body: Body }>(
      `/amt/planung/${path}`,
      { schema: { hide: true }, preHandler: [guard, app.csrfProtection] },
      async (request, reply) => {
        const body = request.body ?? {};
        const office = await officeOf(request);
        const day = dayOf(body.tag, office, deps.clock());
        try {
          await act(office, day, signedInStaff(request), String(request.id));
        } catch (err) {
          return render(request, reply, { day, problem: refusal(err) }, (err as AppError).status);
        }
        return reply.redirect(back(day, done), 303);
      },
    );
  }

  // The progress script's question while the solver runs: where the plan stands (no personal data).
  app.get('/amt/planung/stand', { schema: { hide: true }, preHandler: guard }, async (request, reply) => {
    const q = request.query as Query;
    const office = await officeOf(request);
    const day = dayOf(q.tag, office, deps.clock());
    const planned = await deps.planning.getPlan(office.id, day, signedInStaff(request)).catch((err: unknown) => {
      if (err instanceof AppError && err.code === 'plan.not_found') return null;
      throw err;
    });
    const progress = planned?.plan.progress;
    return reply.header('cache-control', 'no-store').send({
      status: planned?.plan.status ?? null,
      percent: progress ? Math.round(progress.percent) : 0,
      unassigned: progress?.unassigned ?? 0,
    });
  });

  // The map's layers: the office's zones, and the plan (office, routes, stops, unassigned) when there is one.
  app.get('/amt/planung/karte.geojson', { schema: { hide: true }, preHandler: guard }, async (request, reply) => {
    const q = request.query as Query;
    const office = await officeOf(request);
    const day = dayOf(q.tag, office, deps.clock());
    const zones: Feature[] = (await deps.offices.activeZones(office.id)).map((z) => ({
      type: 'Feature',
      properties: { kind: 'zone', name: z.name },
      geometry: z.geometry,
    }));
    // The plan's layers carry delivery locations: the service audits this read as an export.
    const plan = await deps.planning.getPlanGeoJson(office.id, day, signedInStaff(request), String(request.id)).catch((err: unknown) => {
      if (err instanceof AppError && err.code === 'plan.not_found') return null;
      throw err;
    });
    const layers: FeatureCollection = plan
      ? { type: 'FeatureCollection', features: [...zones, ...(plan.geojson.features as Feature[])] }
      : {
          type: 'FeatureCollection',
          features: [
            ...zones,
            { type: 'Feature', properties: { kind: 'depot' }, geometry: { type: 'Point', coordinates: office.location } },
          ],
        };
    return reply.type('application/geo+json').header('cache-control', 'no-store').send(layers);
  });
}
