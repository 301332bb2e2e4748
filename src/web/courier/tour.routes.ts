import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CourierEvent } from '../../dispatch/courier-events.ts';
import { FAILURE_REASONS } from '../../dispatch/courier-events.ts';
import { IDENTITY_METHODS } from '../../dispatch/dispatch.table.ts';
import { AppError } from '../../shared/errors.ts';
import type { App } from '../../shared/app-types.ts';
import { pageNotFound } from '../private-page.ts';
import { localDate } from '../../shared/zoned-time.ts';
import type { CourierAppOptions } from './courier.routes.ts';
import { requireRider, riderView, signedInRider } from './courier-session.ts';
import { refusalKey } from './refusals.ts';
import {
  doorEvent,
  doorFormErrors,
  documentsReturnedEvent,
  isOpenStop,
  readDoorForm,
  routeCompletedEvent,
  routeStartedEvent,
  type DoorForm,
} from './rider-events.ts';

type Body = Record<string, unknown>;
type RouteParams = { routeId: string };
type StopParams = { routeId: string; jobId: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const notFound = pageNotFound;
/** Routes the rider reports on: its documents are with them. */
const ON_THE_ROAD = ['handed_over', 'started'];
const OUTCOMES = ['applied', 'duplicate', 'stale', 'counted_as_failed'] as const;
const REPORTS = ['route.started', 'stop.delivered', 'stop.failed', 'document.returned', 'route.completed'] as const;
const EMPTY_FORM: DoorForm = {
  result: '',
  methods: [],
  oldDocumentCollected: false,
  recipientConfirmed: false,
  reason: '',
  note: '',
  position: null,
};

/** `tel:` takes digits and a leading plus; the rest of a written number (spaces, slashes) goes. */
const telHref = (phone: string) => `tel:${phone.replace(/[^+0-9]/g, '')}`;

/** Today's routes, one route with its stops, the door, and the reports that go with them. */
export async function tourRoutes(app: App, deps: CourierAppOptions) {
  const guard = requireRider(deps.riders);

  /** The route as its company sees it (another company's is not found), with each stop's state. */
  async function loadRoute(request: FastifyRequest, routeId: string) {
    if (!UUID.test(routeId)) throw notFound();
    const { route, data, stopStatus } = await deps.dispatch.getCompanyRoute(signedInRider(request).company, routeId);
    const statusOf = new Map(stopStatus.map((s) => [s.jobId, s.status]));
    const stops = [...data.stops]
      .sort((a, b) => a.sequence - b.sequence)
      .map((s) => ({
        ...s,
        status: statusOf.get(s.jobId) ?? 'planned',
        tel: telHref(s.recipient.phone),
        // geo: is latitude first; the platform keeps GeoJSON order [lng, lat].
        geo: `geo:${s.location[1]},${s.location[0]}`,
      }));
    const onTheRoad = ON_THE_ROAD.includes(route.dispatchStatus);
    const open = stops.filter((s) => isOpenStop(s.status));
    const failed = stops.filter((s) => s.status === 'attempt_failed').map((s) => s.jobId);
    const reported = route.dispatchStatus === 'started' || route.dispatchStatus === 'completed';
    return {
      route,
      data,
      stops,
      onTheRoad,
      canStart: route.dispatchStatus === 'handed_over',
      canReturn: reported && open.length === 0 && failed.length > 0,
      canComplete: route.dispatchStatus === 'started' && open.length === 0,
      failed,
    };
  }

  const routePage = async (request: FastifyRequest, reply: FastifyReply, routeId: string, extra: Body = {}, status = 200) => {
    const query = request.query as Body;
    const outcome = OUTCOMES.find((o) => o === query.ergebnis);
    const report = REPORTS.find((r) => r === query.meldung);
    return riderView(
      request,
      reply,
      deps,
      'courier/route.eta',
      { title: 'ca.route.title', ...(await loadRoute(request, routeId)), outcome, report, ...extra },
      status,
    );
  };

  /**
   * An event applied as any company's would be: the outcome goes back in words on the route page;
   * a refusal (wrong state, too late) is shown on the page it came from, never a 500.
   */
  async function send(
    request: FastifyRequest,
    reply: FastifyReply,
    event: CourierEvent,
    refused: (messageKey: string, status: number) => Promise<FastifyReply>,
  ) {
    const { company } = signedInRider(request);
    let outcome;
    try {
      outcome = (await deps.dispatch.applyCourierEvent(company, event)).outcome;
    } catch (err) {
      if (err instanceof AppError && err.status >= 400 && err.status < 500 && err.status !== 404)
        return refused(refusalKey(err), err.status);
      throw err;
    }
    request.log.info({ companyId: company.id, type: event.type, outcome }, 'rider app event');
    return reply.redirect(`/kurier/touren/${event.data.routeId}?ergebnis=${outcome}&meldung=${event.type}`, 303);
  }

  app.get('/kurier', { schema: { hide: true }, preHandler: guard }, async (request, reply) => {
    const today = localDate(deps.clock(), 'Europe/Berlin');
    const routes = (await deps.dispatch.listCompanyRoutes(signedInRider(request).company.id, { deliveryDate: today })).filter(
      (r) => r.route.dispatchStatus !== 'cancelled',
    );
    return riderView(request, reply, deps, 'courier/home.eta', { title: 'ca.home.title', today, routes });
  });

  app.get<{ Params: RouteParams }>('/kurier/touren/:routeId', { schema: { hide: true }, preHandler: guard }, async (request, reply) =>
    routePage(request, reply, request.params.routeId),
  );

  /** The three reports about the whole route, each checked against the route's state here first. */
  const routeAction = (slug: string, build: (loaded: Awaited<ReturnType<typeof loadRoute>>, now: Date) => CourierEvent | null) =>
    app.post<{ Params: RouteParams }>(
      `/kurier/touren/:routeId/${slug}`,
      { schema: { hide: true }, preHandler: [guard, app.csrfProtection] },
      async (request, reply) => {
        const { routeId } = request.params;
        const loaded = await loadRoute(request, routeId);
        const event = build(loaded, deps.clock());
        if (!event) return routePage(request, reply, routeId, { problemKey: 'ca.refused.wrongState' }, 409);
        return send(request, reply, event, (problemKey, status) => routePage(request, reply, routeId, { problemKey }, status));
      },
    );
  routeAction('start', (r, now) => (r.canStart ? routeStartedEvent(r.route.id, now) : null));
  routeAction('rueckgabe', (r, now) => (r.canReturn ? documentsReturnedEvent(r.route.id, r.failed, now) : null));
  routeAction('abschluss', (r, now) => (r.canComplete ? routeCompletedEvent(r.route.id, now) : null));

  const stopPage = async (request: FastifyRequest, reply: FastifyReply, params: StopParams, extra: Body = {}, status = 200) => {
    if (!UUID.test(params.jobId)) throw notFound();
    const loaded = await loadRoute(request, params.routeId);
    const stop = loaded.stops.find((s) => s.jobId === params.jobId);
    if (!stop) throw notFound();
    return riderView(
      request,
      reply,
      deps,
      'courier/stop.eta',
      {
        title: 'ca.stop.title',
        route: loaded.route,
        stop,
        canReport: loaded.onTheRoad && isOpenStop(stop.status),
        methods: IDENTITY_METHODS,
        reasons: FAILURE_REASONS,
        form: EMPTY_FORM,
        errors: {},
        ...extra,
      },
      status,
    );
  };

  app.get<{ Params: StopParams }>(
    '/kurier/touren/:routeId/stopps/:jobId',
    { schema: { hide: true }, preHandler: guard },
    async (request, reply) => stopPage(request, reply, request.params),
  );

  app.post<{ Params: StopParams; Body: Body }>(
    '/kurier/touren/:routeId/stopps/:jobId',
    { schema: { hide: true }, preHandler: [guard, app.csrfProtection] },
    async (request, reply) => {
      const { routeId, jobId } = request.params;
      if (!UUID.test(jobId)) throw notFound();
      const loaded = await loadRoute(request, routeId);
      const stop = loaded.stops.find((s) => s.jobId === jobId);
      if (!stop) throw notFound();
      const form = readDoorForm(request.body ?? {});
      const errors = doorFormErrors(form, stop.identityCheck.requiredMethods);
      if (Object.keys(errors).length > 0) return stopPage(request, reply, request.params, { form, errors }, 422);
      const event = doorEvent({ routeId, jobId, riderId: signedInRider(request).rider.id, form, now: deps.clock() });
      return send(request, reply, event, (problemKey, status) => stopPage(request, reply, request.params, { form, problemKey }, status));
    },
  );
}
