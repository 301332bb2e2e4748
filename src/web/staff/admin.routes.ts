import type { FastifyReply, FastifyRequest } from 'fastify';
import { claimForm, formKeyOf, newFormKey } from '../form-once.ts';
import type { CourierCompany } from '../../couriers/couriers.table.ts';
import { DEFAULT_SECRET_OVERLAP_HOURS } from '../../couriers/couriers.service.ts';
import { AppError } from '../../shared/errors.ts';
import type { MessageKey } from '../i18n.ts';
import type { App } from '../../shared/app-types.ts';
import { pageNotFound } from '../private-page.ts';
import { EVENT_ID_PATTERN } from '../../webhooks/webhooks.service.ts';
import { outboundEventStatusEnum, type OutboundEventStatus } from '../../webhooks/webhooks.table.ts';
import {
  COMPANY_STATUSES,
  companyInputOf,
  companyUpdateOf,
  EMPTY_COMPANY_FORM,
  overlapHoursOf,
  readCompanyForm,
  updateFormOf,
  type CompanyForm,
  type FieldErrors,
} from './admin-company-form.ts';
import { recentOffersOfCompany, zoneChoices } from './admin-queries.ts';
import { SECTION_ROLES } from './console-sections.ts';
import { formText, requireStaff, signedInStaff, staffView, UUID } from './staff-session.ts';
import type { StaffConsoleDeps } from './staff.routes.ts';

type Body = Record<string, unknown>;
type Query = Record<string, unknown>;
type Params = { id: string };
type EventParams = { id: string; eventId: string };

const EVENTS_PER_PAGE = 50;
const REGISTER_SCOPE = 'web:register_courier_company';
const EVENT_STATUSES = outboundEventStatusEnum.enumValues;
const BASE = '/amt/verwaltung';
const companyPath = (id: string) => `${BASE}/kurierdienste/${id}`;
const notFound = pageNotFound;
const cursorOf = (v: unknown) => (typeof v === 'string' && /^[A-Za-z0-9_-]{1,400}$/.test(v) ? v : undefined);
const statusOf = (v: unknown): OutboundEventStatus | undefined =>
  typeof v === 'string' && (EVENT_STATUSES as readonly string[]).includes(v) ? (v as OutboundEventStatus) : undefined;
/** A refusal of a service (4xx other than not found) the page shows; anything else goes on to the error page. */
const refusal = (err: unknown, code: string) => err instanceof AppError && err.code === code;

/** How a company's webhook endpoint stands: none set, taking deliveries, or disabled by a 410. */
export const endpointState = (c: CourierCompany) => (!c.webhookUrl ? 'none' : c.webhookDisabledAt ? 'disabled' : 'open');

/**
 * The admin's console for courier companies: the registry (register one, its API key and signing
 * secret shown once), rotation of both, the webhook endpoint and deliveries (dead letters, replay),
 * and the company's recent route offers. Every change is the API's own service call, so the rules
 * and the audit trail are the API's; the pages only read forms and show answers.
 */
export async function adminConsoleRoutes(app: App, deps: StaffConsoleDeps & { sandbox: boolean }) {
  const guard = requireStaff(deps.auth, deps, SECTION_ROLES.admin);
  const staffOf = signedInStaff;
  const page = (request: FastifyRequest, reply: FastifyReply, template: string, data: Record<string, unknown>, status = 200) =>
    staffView(request, reply, deps, template, { section: 'admin', ...data }, status);

  const listPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    extra: { form?: CompanyForm; errors?: FieldErrors; problemKey?: MessageKey; formKey?: string } = {},
    status = 200,
  ) => {
    const [companies, zones] = await Promise.all([deps.couriers.listCompanies(), zoneChoices(deps.db)]);
    return page(
      request,
      reply,
      'staff/admin-companies.eta',
      {
        title: 'adm.title',
        companies: companies.map((company) => ({ company, endpoint: endpointState(company) })),
        zones: zones.filter((z) => z.active),
        form: extra.form ?? EMPTY_COMPANY_FORM,
        // A sent form registers once: the key names this form (see the POST).
        formKey: extra.formKey ?? newFormKey(),
        errors: extra.errors ?? {},
        problemKey: extra.problemKey,
      },
      status,
    );
  };

  app.get(BASE, { schema: { hide: true }, preHandler: guard }, async (request, reply) => listPage(request, reply));

  /**
   * The key and the secret are in this one answer and nowhere else: not in a URL, not in a redirect,
   * not in a log. The page is not cached (staffView), and reloading it would register another company
   * (the browser asks first), so it says to pass the values on now.
   */
  const secretPage = (
    request: FastifyRequest,
    reply: FastifyReply,
    data: {
      kind: 'created' | 'apiKey' | 'signingSecret';
      company: CourierCompany;
      apiKey?: string;
      signingSecret?: string;
      retiresAt?: Date;
    },
    status: number,
  ) => page(request, reply, 'staff/admin-secret.eta', { title: `adm.secret.title.${data.kind}`, ...data }, status);

  app.post<{ Body: Body }>(
    `${BASE}/kurierdienste`,
    { schema: { hide: true }, preHandler: [guard, app.csrfProtection] },
    async (request, reply) => {
      const body = request.body ?? {};
      const form = readCompanyForm(body);
      const formKey = formKeyOf(body.formKey) ?? newFormKey();
      const checked = companyInputOf(form);
      if (checked.errors) return listPage(request, reply, { form, errors: checked.errors, formKey }, 422);
      // The key and secret are shown only in this answer, so a form sent again (a reload, a double
      // click) must not register a second company: a repeat goes to the company it made.
      const claim = await claimForm(deps.db, { scope: REGISTER_SCOPE, key: formKey, contents: checked.input, now: deps.clock() });
      if (!claim.fresh) {
        // The used form sent again with other contents (back, edit, send): not the company it made.
        if (!claim.sameContents) return listPage(request, reply, { form, problemKey: 'adm.register.changed' }, 409);
        if (claim.madeId) return reply.redirect(`${companyPath(claim.madeId)}?schonAngelegt=1`, 303);
        return listPage(request, reply, { form, problemKey: 'adm.register.inFlight' }, 409);
      }
      try {
        const created = await deps.couriers.createCompany(checked.input, staffOf(request), String(request.id));
        await claim.made(created.company.id);
        return await secretPage(
          request,
          reply,
          { kind: 'created', company: created.company, apiKey: created.apiKey, signingSecret: created.signingSecret },
          201,
        );
      } catch (err) {
        // The service's own checks: zones that are gone meanwhile, a webhook address the policy refuses.
        if (refusal(err, 'courier_company.unknown_zones'))
          return listPage(request, reply, { form, errors: { zoneIds: { key: 'adm.form.unknownZones' } } }, 422);
        if (refusal(err, 'courier_company.webhook_url_not_allowed'))
          return listPage(request, reply, { form, errors: { webhookUrl: { key: 'adm.form.webhookUrlNotAllowed' } } }, 422);
        throw err;
      }
    },
  );

  /** The company page: contract, keys by prefix, the repairs, its webhook events (filtered) and its recent offers. */
  const companyPage = async (request: FastifyRequest, reply: FastifyReply, id: string, extra: Record<string, unknown>, status = 200) => {
    if (!UUID.test(id)) throw notFound();
    const q = request.query as Query;
    const { company, keys } = await deps.couriers.getCompany(id);
    const filter = statusOf(q.status);
    const [events, offers, zones] = await Promise.all([
      deps.webhooks.listEvents({ companyId: id, status: filter, cursor: cursorOf(q.cursor), limit: EVENTS_PER_PAGE }),
      recentOffersOfCompany(deps.db, id),
      zoneChoices(deps.db),
    ]);
    const zoneName = new Map(zones.map((z) => [z.id, { office: z.officeName, zone: z.name }]));
    const params = new URLSearchParams(filter ? { status: filter } : {});
    return page(
      request,
      reply,
      'staff/admin-company.eta',
      {
        title: 'adm.company.title',
        company,
        endpoint: endpointState(company),
        keys,
        zones: company.zoneIds.map((z) => zoneName.get(z) ?? { office: '', zone: z }),
        events: events.data,
        filter: filter ?? '',
        statuses: EVENT_STATUSES,
        moreHref: events.nextCursor
          ? `${companyPath(id)}?${params.toString()}${filter ? '&' : ''}cursor=${encodeURIComponent(events.nextCursor)}`
          : null,
        offers,
        overlapHours: String(DEFAULT_SECRET_OVERLAP_HOURS),
        errors: {},
        update: updateFormOf(company),
        updateErrors: {},
        companyStatuses: COMPANY_STATUSES,
        enabled: q.aktiviert === '1',
        saved: q.gespeichert === '1',
        alreadyRegistered: q.schonAngelegt === '1',
        ...extra,
      },
      status,
    );
  };

  app.get<{ Params: Params }>(`${BASE}/kurierdienste/:id`, { schema: { hide: true }, preHandler: guard }, async (request, reply) =>
    companyPage(request, reply, request.params.id, {}),
  );

  app.post<{ Params: Params; Body: Body }>(
    `${BASE}/kurierdienste/:id/aendern`,
    { schema: { hide: true }, preHandler: [guard, app.csrfProtection] },
    async (request, reply) => {
      const { id } = request.params;
      if (!UUID.test(id)) throw notFound();
      const { company } = await deps.couriers.getCompany(id);
      const form = { status: formText(request.body?.status, 20), webhookUrl: formText(request.body?.webhookUrl, 2100) };
      const checked = companyUpdateOf(form, company);
      if (checked.errors) return companyPage(request, reply, id, { update: form, updateErrors: checked.errors }, 422);
      // Nothing changed: nothing to call (the service would write an empty update).
      if (Object.keys(checked.changes).length === 0) return reply.redirect(companyPath(id), 303);
      try {
        await deps.couriers.updateCompany(id, checked.changes, staffOf(request), String(request.id));
      } catch (err) {
        if (refusal(err, 'courier_company.webhook_url_not_allowed'))
          return companyPage(
            request,
            reply,
            id,
            { update: form, updateErrors: { webhookUrl: { key: 'adm.form.webhookUrlNotAllowed' } } },
            422,
          );
        throw err;
      }
      return reply.redirect(`${companyPath(id)}?gespeichert=1`, 303);
    },
  );

  app.post<{ Params: Params }>(
    `${BASE}/kurierdienste/:id/api-schluessel`,
    { schema: { hide: true }, preHandler: [guard, app.csrfProtection] },
    async (request, reply) => {
      const { id } = request.params;
      if (!UUID.test(id)) throw notFound();
      const { apiKey } = await deps.couriers.rotateApiKey(id, staffOf(request), String(request.id));
      const { company } = await deps.couriers.getCompany(id);
      return secretPage(request, reply, { kind: 'apiKey', company, apiKey }, 201);
    },
  );

  app.post<{ Params: Params; Body: Body }>(
    `${BASE}/kurierdienste/:id/signaturgeheimnis`,
    { schema: { hide: true }, preHandler: [guard, app.csrfProtection] },
    async (request, reply) => {
      const { id } = request.params;
      if (!UUID.test(id)) throw notFound();
      const typed = formText(request.body?.overlapHours, 10);
      const overlapHours = overlapHoursOf(typed);
      if (overlapHours === null)
        return companyPage(request, reply, id, { overlapHours: typed, errors: { overlapHours: { key: 'adm.form.overlap' } } }, 422);
      const rotated = await deps.couriers.rotateSigningSecret(id, overlapHours, staffOf(request), String(request.id));
      const { company } = await deps.couriers.getCompany(id);
      return secretPage(
        request,
        reply,
        { kind: 'signingSecret', company, signingSecret: rotated.signingSecret, retiresAt: rotated.previousSecretsRetireAt },
        201,
      );
    },
  );

  app.post<{ Params: Params }>(
    `${BASE}/kurierdienste/:id/webhook-einschalten`,
    { schema: { hide: true }, preHandler: [guard, app.csrfProtection] },
    async (request, reply) => {
      const { id } = request.params;
      if (!UUID.test(id)) throw notFound();
      try {
        await deps.webhooks.enableEndpoint(id, staffOf(request), String(request.id));
      } catch (err) {
        // Enabled meanwhile (another admin, a new webhook URL): the page says so.
        if (refusal(err, 'courier_webhook.not_disabled'))
          return companyPage(request, reply, id, { problemKey: 'adm.enable.notDisabled' }, 409);
        throw err;
      }
      return reply.redirect(`${companyPath(id)}?aktiviert=1`, 303);
    },
  );

  /** One event of the company with its attempts; another company's event is as unknown as none. */
  const eventPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    params: EventParams,
    extra: Record<string, unknown>,
    status = 200,
  ) => {
    if (!UUID.test(params.id) || !EVENT_ID_PATTERN.test(params.eventId)) throw notFound();
    const { company } = await deps.couriers.getCompany(params.id);
    const { event, attempts } = await deps.webhooks.getEvent(params.eventId);
    if (event.companyId !== company.id) throw notFound();
    return page(
      request,
      reply,
      'staff/admin-event.eta',
      { title: 'adm.event.title', company, event, attempts, replayed: (request.query as Query).erneut === '1', ...extra },
      status,
    );
  };

  app.get<{ Params: EventParams }>(
    `${BASE}/kurierdienste/:id/ereignisse/:eventId`,
    { schema: { hide: true }, preHandler: guard },
    async (request, reply) => eventPage(request, reply, request.params, {}),
  );

  app.post<{ Params: EventParams }>(
    `${BASE}/kurierdienste/:id/ereignisse/:eventId/erneut-senden`,
    { schema: { hide: true }, preHandler: [guard, app.csrfProtection] },
    async (request, reply) => {
      const { id, eventId } = request.params;
      if (!UUID.test(id) || !EVENT_ID_PATTERN.test(eventId)) throw notFound();
      // The event must be this company's before anything is replayed.
      const { event } = await deps.webhooks.getEvent(eventId);
      if (event.companyId !== id) throw notFound();
      try {
        await deps.webhooks.replayEvent(eventId, staffOf(request), String(request.id));
      } catch (err) {
        if (refusal(err, 'webhook_event.not_replayable'))
          return eventPage(request, reply, request.params, { problemKey: 'adm.event.notReplayable' }, 409);
        throw err;
      }
      return reply.redirect(`${companyPath(id)}/ereignisse/${eventId}?erneut=1`, 303);
    },
  );
}
