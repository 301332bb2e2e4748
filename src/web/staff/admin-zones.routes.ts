import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Feature, FeatureCollection } from 'geojson';
import { recordAudit } from '../../audit/audit.repository.ts';
import { createCustodyRepository } from '../../custody/custody.repository.ts';
import type { Office, VehicleType } from '../../offices/offices.table.ts';
import { AppError } from '../../shared/errors.ts';
import type { App } from '../../shared/app-types.ts';
import { pageNotFound } from '../private-page.ts';
import { addDays, isValidDeliveryDate, zonedTimeToUtc } from '../../shared/zoned-time.ts';
import { SECTION_ROLES } from './console-sections.ts';
import { formText, requireStaff, signedInStaff, staffView, UUID } from './staff-session.ts';
import type { StaffConsoleDeps } from './staff.routes.ts';
import { readZoneUpload } from './zone-upload.ts';

type Body = Record<string, unknown>;
type Query = Record<string, unknown>;
type Errors = Record<string, { key: string }>;

const BASE = '/amt/verwaltung/gebiete';
const VEHICLES: readonly VehicleType[] = ['bike', 'ecar'];
const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** A zone's GeoJSON may be large (a city boundary): as the API's createServiceZone allows. */
const ZONE_FORM_LIMIT = 2 * 1024 * 1024;
const notFound = pageNotFound;
const many = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : [];
/** Euros as typed in Germany or England ("4,50", "4.50", "4"), to integer cents; null when not a price. */
export const centsOf = (v: string): number | null => {
  const m = /^(\d{1,4})(?:[.,](\d{1,2}))?$/.exec(v.trim());
  return m ? Number(m[1]) * 100 + Number((m[2] ?? '0').padEnd(2, '0')) : null;
};
/** The service's refusals the page explains in its own words (the service's detail follows in brackets). */
const SHOWN = new Set([
  'zone.invalid_geometry',
  'tariff.overlaps',
  'tariff.invalid_period',
  'tariff.vehicle_not_in_zone',
  'zone.not_found',
  'tariff.not_found',
]);

/**
 * The admin's zones and tariffs of an office: the zones on a map (GeoJSON layers) and in a table,
 * switched on and off; a new zone uploaded as GeoJSON and shown on the map before it is saved;
 * prices per zone and vehicle with their validity (office days). And the custody chain check.
 * Every change is the offices service's own call, with its checks and audit.
 */
export async function adminZonesRoutes(
  app: App,
  deps: StaffConsoleDeps & { sandbox: boolean; map?: { tileUrl: string | null; tileAttribution: string | null } },
) {
  const guard = requireStaff(deps.auth, deps, SECTION_ROLES.admin);
  const svc = deps.officesService;

  /** The office the page is about: an admin of one office sees that one; a city-wide admin chooses. */
  async function officeOf(request: FastifyRequest, chosen: unknown): Promise<{ office: Office; offices: Office[] }> {
    const own = signedInStaff(request).officeId;
    const offices = own ? [] : await deps.offices.list();
    const named = typeof chosen === 'string' && UUID.test(chosen) ? chosen : null;
    // A page may open on the first office; a change must name its office (never a silent default).
    if (!own && !named && request.method !== 'GET') throw notFound();
    const id = own ?? named ?? offices[0]?.id;
    const office = own ? await deps.offices.findById(own) : offices.find((o) => o.id === id);
    if (!office) throw notFound();
    return { office, offices };
  }

  async function render(
    request: FastifyRequest,
    reply: FastifyReply,
    chosen: unknown,
    extra: {
      errors?: Errors;
      zoneForm?: Record<string, unknown>;
      tariffForm?: Record<string, unknown>;
      preview?: string;
      problem?: { key: string; detail: string };
      done?: string;
    },
    status = 200,
  ) {
    const staff = signedInStaff(request);
    const { office, offices } = await officeOf(request, chosen);
    const [zones, tariffs] = await Promise.all([svc.listZones(office.id, staff), svc.listTariffs(office.id, staff)]);
    const zoneName = new Map(zones.map((z) => [z.id, z.name]));
    return staffView(
      request,
      reply,
      deps,
      'staff/admin-zones.eta',
      {
        section: 'admin',
        title: 'zo.title',
        office,
        offices,
        zones,
        tariffs: tariffs.map((t) => ({ ...t, zoneName: zoneName.get(t.zoneId) ?? '' })),
        now: deps.clock(),
        errors: extra.errors ?? {},
        zoneForm: { name: '', vehicleTypes: ['bike'], geojson: '', ...extra.zoneForm },
        tariffForm: { zoneId: '', vehicleType: 'bike', price: '', validFrom: '', validTo: '', ...extra.tariffForm },
        preview: extra.preview ?? null,
        problem: extra.problem ?? null,
        done: extra.done ?? null,
        geojsonUrl: `${BASE}/karte.geojson?buero=${office.id}`,
        tileUrl: deps.map?.tileUrl ?? null,
        tileAttribution: deps.map?.tileAttribution ?? null,
        timeZone: office.timezone,
        hiddenOffice: offices.length > 0 ? office.id : null,
      },
      status,
    );
  }
  const back = (request: FastifyRequest, officeId: string, done: string) =>
    `${BASE}?${new URLSearchParams({ ...(signedInStaff(request).officeId ? {} : { buero: officeId }), erledigt: done })}`;
  /** A service refusal the page explains, or the error page for anything else. */
  const refused = (err: unknown): { key: string; detail: string } => {
    if (err instanceof AppError && SHOWN.has(err.code)) return { key: `zo.refused.${err.code}`, detail: err.message };
    throw err;
  };

  app.get(BASE, { schema: { hide: true }, preHandler: guard }, async (request, reply) => {
    const q = request.query as Query;
    const done = ['gebiet', 'tarif', 'beendet', 'geschaltet'].find((d) => d === q.erledigt);
    return render(request, reply, q.buero, { done });
  });

  app.get(`${BASE}/karte.geojson`, { schema: { hide: true }, preHandler: guard }, async (request, reply) => {
    const { office } = await officeOf(request, (request.query as Query).buero);
    const zones = await svc.listZones(office.id, signedInStaff(request));
    const features: Feature[] = zones.map((z) => ({
      type: 'Feature',
      properties: { kind: 'zone', name: z.name, active: z.active },
      geometry: z.geometry,
    }));
    features.push({ type: 'Feature', properties: { kind: 'depot' }, geometry: { type: 'Point', coordinates: office.location } });
    const collection: FeatureCollection = { type: 'FeatureCollection', features };
    return reply.type('application/geo+json').header('cache-control', 'no-store').send(collection);
  });

  /** The zone form read and checked: what the person typed back, errors at their fields, the geometry. */
  function readZoneForm(body: Body) {
    const name = formText(body.name, 200);
    const vehicleTypes = many(body.vehicleTypes).filter((v): v is VehicleType => (VEHICLES as readonly string[]).includes(v));
    const geojson = typeof body.geojson === 'string' ? body.geojson.slice(0, ZONE_FORM_LIMIT) : '';
    const upload = geojson.trim() === '' ? null : readZoneUpload(geojson);
    const errors: Errors = {
      ...(name === '' ? { name: { key: 'error.required' } } : {}),
      ...(vehicleTypes.length === 0 ? { vehicleTypes: { key: 'zo.error.vehicles' } } : {}),
      ...(!upload ? { geojson: { key: 'error.required' } } : !upload.ok ? { geojson: { key: upload.key } } : {}),
    };
    return { form: { name, vehicleTypes, geojson }, errors, geometry: upload?.ok ? upload.geometry : null };
  }

  // Preview: the uploaded zone on the map with the office's zones, nothing saved yet.
  app.post<{ Body: Body }>(
    `${BASE}/vorschau`,
    { schema: { hide: true }, bodyLimit: ZONE_FORM_LIMIT + 16_384, preHandler: [guard, app.csrfProtection] },
    async (request, reply) => {
      const body = request.body ?? {};
      const { form, errors, geometry } = readZoneForm(body);
      if (Object.keys(errors).length > 0 || !geometry) return render(request, reply, body.buero, { errors, zoneForm: form }, 422);
      const preview: FeatureCollection = {
        type: 'FeatureCollection',
        features: [{ type: 'Feature', properties: { kind: 'preview', name: form.name }, geometry }],
      };
      return render(request, reply, body.buero, { zoneForm: form, preview: JSON.stringify(preview) });
    },
  );

  app.post<{ Body: Body }>(
    BASE,
    { schema: { hide: true }, bodyLimit: ZONE_FORM_LIMIT + 16_384, preHandler: [guard, app.csrfProtection] },
    async (request, reply) => {
      const body = request.body ?? {};
      const { office } = await officeOf(request, body.buero);
      const { form, errors, geometry } = readZoneForm(body);
      if (Object.keys(errors).length > 0 || !geometry) return render(request, reply, office.id, { errors, zoneForm: form }, 422);
      try {
        await svc.createZone(
          office.id,
          { name: form.name, geometry, vehicleTypes: form.vehicleTypes },
          signedInStaff(request),
          String(request.id),
        );
      } catch (err) {
        return render(
          request,
          reply,
          office.id,
          { zoneForm: form, errors: { geojson: { key: 'zo.error.geometry' } }, problem: refused(err) },
          422,
        );
      }
      return reply.redirect(back(request, office.id, 'gebiet'), 303);
    },
  );

  app.post<{ Params: { zoneId: string }; Body: Body }>(
    `${BASE}/:zoneId/schalten`,
    { schema: { hide: true }, preHandler: [guard, app.csrfProtection] },
    async (request, reply) => {
      const body = request.body ?? {};
      if (!UUID.test(request.params.zoneId)) throw notFound();
      const { office } = await officeOf(request, body.buero);
      await svc.setZoneActive(office.id, request.params.zoneId, body.active === 'true', signedInStaff(request), String(request.id));
      return reply.redirect(back(request, office.id, 'geschaltet'), 303);
    },
  );

  /** An office day typed as YYYY-MM-DD: the instant it starts in the office's time zone. */
  const dayStart = (v: string, office: Office) =>
    DATE.test(v) && isValidDeliveryDate(v) ? zonedTimeToUtc(v, '00:00', office.timezone) : null;
  /** The last day of a validity as typed: stored as the instant the next office day starts. */
  const dayAfter = (v: string, office: Office) =>
    DATE.test(v) && isValidDeliveryDate(v) ? zonedTimeToUtc(addDays(v, 1), '00:00', office.timezone) : null;

  app.post<{ Body: Body }>(
    `${BASE}/tarife`,
    { schema: { hide: true }, preHandler: [guard, app.csrfProtection] },
    async (request, reply) => {
      const body = request.body ?? {};
      const { office } = await officeOf(request, body.buero);
      const form = {
        zoneId: formText(body.zoneId, 36),
        vehicleType: formText(body.vehicleType, 10),
        price: formText(body.price, 10),
        validFrom: formText(body.validFrom, 10),
        validTo: formText(body.validTo, 10),
      };
      const amountCents = centsOf(form.price);
      const validFrom = dayStart(form.validFrom, office);
      // The form asks for the last day the price applies; it is stored as the start of the day after (exclusive).
      const validTo = form.validTo === '' ? null : dayAfter(form.validTo, office);
      const vehicleType = VEHICLES.find((v) => v === form.vehicleType);
      const errors: Errors = {
        ...(!UUID.test(form.zoneId) ? { zoneId: { key: 'zo.error.zone' } } : {}),
        ...(!vehicleType ? { vehicleType: { key: 'zo.error.vehicle' } } : {}),
        ...(amountCents === null || amountCents < 1 ? { price: { key: 'zo.error.price' } } : {}),
        ...(!validFrom ? { validFrom: { key: 'zo.error.date' } } : {}),
        ...(form.validTo !== '' && !validTo ? { validTo: { key: 'zo.error.date' } } : {}),
      };
      if (Object.keys(errors).length > 0 || !vehicleType || amountCents === null || !validFrom)
        return render(request, reply, office.id, { errors, tariffForm: form }, 422);
      try {
        await svc.createTariff(
          office.id,
          { zoneId: form.zoneId, vehicleType, amountCents, validFrom, validTo },
          signedInStaff(request),
          String(request.id),
        );
      } catch (err) {
        return render(request, reply, office.id, { tariffForm: form, problem: refused(err) }, 422);
      }
      return reply.redirect(back(request, office.id, 'tarif'), 303);
    },
  );

  app.post<{ Params: { tariffId: string }; Body: Body }>(
    `${BASE}/tarife/:tariffId/beenden`,
    { schema: { hide: true }, preHandler: [guard, app.csrfProtection] },
    async (request, reply) => {
      const body = request.body ?? {};
      if (!UUID.test(request.params.tariffId)) throw notFound();
      const { office } = await officeOf(request, body.buero);
      const validTo = dayAfter(formText(body.validTo, 10), office);
      if (!validTo)
        return render(request, reply, office.id, { errors: { [`end-${request.params.tariffId}`]: { key: 'zo.error.date' } } }, 422);
      try {
        await svc.endTariff(office.id, request.params.tariffId, validTo, signedInStaff(request), String(request.id));
      } catch (err) {
        return render(request, reply, office.id, { problem: refused(err) }, 422);
      }
      return reply.redirect(back(request, office.id, 'beendet'), 303);
    },
  );

  // The custody log's hash chain, checked end to end (paged, so memory stays flat). The check reads
  // every entry and is audited, so it runs on a deliberate POST, never on a reload or a prefetch.
  const CHAIN = '/amt/verwaltung/verwahrkette';
  const chainPage = (request: FastifyRequest, reply: FastifyReply, data: Record<string, unknown>) =>
    staffView(request, reply, deps, 'staff/admin-custody.eta', { section: 'admin', title: 'zo.chain.title', check: null, ...data });
  app.get(CHAIN, { schema: { hide: true }, preHandler: guard }, async (request, reply) => chainPage(request, reply, {}));
  app.post(CHAIN, { schema: { hide: true }, preHandler: [guard, app.csrfProtection] }, async (request, reply) => {
    const staff = signedInStaff(request);
    const started = Date.now();
    const check = await createCustodyRepository(deps.db).verify();
    await recordAudit(deps.db, {
      actorType: 'staff',
      actorId: staff.id,
      action: 'custody.chain_checked',
      subjectType: 'custody_log',
      subjectId: 'chain',
      requestId: String(request.id),
      details: { ok: check.ok, entries: check.entries },
    });
    return chainPage(request, reply, { check, checkedAt: deps.clock(), millis: Date.now() - started });
  });
}
