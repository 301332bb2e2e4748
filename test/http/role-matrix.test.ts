import { randomUUID } from 'node:crypto';
import { Ajv } from 'ajv';
import addFormatsPlugin from 'ajv-formats';
import { eq } from 'drizzle-orm';
import { describe, expect } from 'vitest';
import { staffSessions, staffUsers, type StaffRole } from '../../src/auth/auth.table.ts';
import type { Database } from '../../src/db/client.ts';
import { generateToken, hashToken } from '../../src/shared/tokens.ts';
import type { Access, RegisteredOperation } from '../../src/plugins/access.plugin.ts';
import { test } from '../helpers/platform-fixture.ts';
import { api, seedOffice, type TestPlatform } from '../helpers/test-platform.ts';
import { must } from '../helpers/must.ts';
import { createCouriersService } from '../../src/couriers/couriers.service.ts';
import { toPrincipal } from '../../src/auth/auth.service.ts';
import { appendOutboundEvent } from '../../src/webhooks/outbox.ts';
import { Webhook } from 'standardwebhooks';
import { courierShifts, planRoutes, plans } from '../../src/planning/planning.table.ts';
import { routeOffers } from '../../src/dispatch/dispatch.table.ts';

const ROLES: readonly StaffRole[] = ['clerk', 'supervisor', 'finance', 'admin'];
const ALL = ROLES;

/**
 * Every /v1 operation with who may call it. Adding, removing or re-scoping a route fails this
 * test until the table (and so the review of who may do what) is updated.
 */
const EXPECTED: Array<{ operationId: string; method: string; url: string; access: Access }> = [
  // The finance office sees money (payments, refunds, disputes, discrepancies) without contact data
  // and decides on held bookings; nobody else needs these lists (staff see a booking's payment in it).
  { operationId: 'listPayments', method: 'GET', url: '/v1/payments', access: { kind: 'staff', roles: ['finance'] } },
  { operationId: 'getPayment', method: 'GET', url: '/v1/payments/:id', access: { kind: 'staff', roles: ['finance'] } },
  { operationId: 'listRefunds', method: 'GET', url: '/v1/refunds', access: { kind: 'staff', roles: ['finance'] } },
  { operationId: 'listDisputes', method: 'GET', url: '/v1/disputes', access: { kind: 'staff', roles: ['finance'] } },
  {
    operationId: 'listPaymentDiscrepancies',
    method: 'GET',
    url: '/v1/payment-discrepancies',
    access: { kind: 'staff', roles: ['finance'] },
  },
  {
    operationId: 'resolvePaymentDiscrepancy',
    method: 'POST',
    url: '/v1/payment-discrepancies/:id/resolve',
    access: { kind: 'staff', roles: ['finance'] },
  },
  // Reconciliation runs and what they find: the finance office's, like the money they are about.
  { operationId: 'startReconciliationRun', method: 'POST', url: '/v1/reconciliation-runs', access: { kind: 'staff', roles: ['finance'] } },
  { operationId: 'listReconciliationRuns', method: 'GET', url: '/v1/reconciliation-runs', access: { kind: 'staff', roles: ['finance'] } },
  { operationId: 'getReconciliationRun', method: 'GET', url: '/v1/reconciliation-runs/:id', access: { kind: 'staff', roles: ['finance'] } },
  {
    operationId: 'listReconciliationDiscrepancies',
    method: 'GET',
    url: '/v1/reconciliation-discrepancies',
    access: { kind: 'staff', roles: ['finance'] },
  },
  {
    operationId: 'getReconciliationDiscrepancy',
    method: 'GET',
    url: '/v1/reconciliation-discrepancies/:id',
    access: { kind: 'staff', roles: ['finance'] },
  },
  {
    operationId: 'resolveReconciliationDiscrepancy',
    method: 'POST',
    url: '/v1/reconciliation-discrepancies/:id/resolve',
    access: { kind: 'staff', roles: ['finance'] },
  },
  {
    operationId: 'resolveBookingHold',
    method: 'POST',
    url: '/v1/bookings/:id/holds/:holdId/resolve',
    access: { kind: 'staff', roles: ['finance'] },
  },
  // The finance reports (booking list, payouts, courier invoices): the same finance office, amounts
  // and Kassenzeichen only; admins run the platform, not the books.
  {
    operationId: 'getBookingListReport',
    method: 'GET',
    url: '/v1/finance/reports/bookings',
    access: { kind: 'staff', roles: ['finance'] },
  },
  {
    operationId: 'getPayoutReport',
    method: 'GET',
    url: '/v1/finance/reports/payouts/:payoutId',
    access: { kind: 'staff', roles: ['finance'] },
  },
  {
    operationId: 'getPayoutRangeReport',
    method: 'GET',
    url: '/v1/finance/reports/payouts',
    access: { kind: 'staff', roles: ['finance'] },
  },
  {
    operationId: 'getCourierInvoiceReport',
    method: 'GET',
    url: '/v1/finance/reports/courier-invoices',
    access: { kind: 'staff', roles: ['finance'] },
  },
  // What a booking is owed back is decided by code; overriding it is a money decision, like a hold's.
  {
    operationId: 'overrideRefundDecision',
    method: 'PUT',
    url: '/v1/bookings/:id/refund-decision',
    access: { kind: 'staff', roles: ['finance'] },
  },
  // Delivery hours: citizens see the slots; admins set the office's state, postal codes, hours and
  // payment-issue rule; supervisors (and admins) enter closing days, clerks may look them up.
  { operationId: 'listDeliverySlots', method: 'GET', url: '/v1/offices/:id/delivery-slots', access: { kind: 'public' } },
  { operationId: 'updateOffice', method: 'PATCH', url: '/v1/offices/:id', access: { kind: 'staff', roles: ['admin'] } },
  {
    operationId: 'listOfficeClosures',
    method: 'GET',
    url: '/v1/offices/:id/closures',
    access: { kind: 'staff', roles: ['admin', 'supervisor', 'clerk'] },
  },
  {
    operationId: 'createOfficeClosure',
    method: 'POST',
    url: '/v1/offices/:id/closures',
    access: { kind: 'staff', roles: ['admin', 'supervisor'] },
  },
  {
    operationId: 'deleteOfficeClosure',
    method: 'DELETE',
    url: '/v1/offices/:id/closures/:date',
    access: { kind: 'staff', roles: ['admin', 'supervisor'] },
  },
  { operationId: 'listOffices', method: 'GET', url: '/v1/offices', access: { kind: 'public' } },
  { operationId: 'createOffice', method: 'POST', url: '/v1/offices', access: { kind: 'staff', roles: ['admin'] } },
  {
    operationId: 'listServiceZones',
    method: 'GET',
    url: '/v1/offices/:id/zones',
    access: { kind: 'staff', roles: ['admin', 'supervisor', 'clerk'] },
  },
  {
    operationId: 'createServiceZone',
    method: 'POST',
    url: '/v1/offices/:id/zones',
    access: { kind: 'staff', roles: ['admin', 'supervisor'] },
  },
  {
    operationId: 'updateServiceZone',
    method: 'PATCH',
    url: '/v1/offices/:id/zones/:zoneId',
    access: { kind: 'staff', roles: ['admin', 'supervisor'] },
  },
  {
    operationId: 'listTariffs',
    method: 'GET',
    url: '/v1/offices/:id/tariffs',
    access: { kind: 'staff', roles: ['admin', 'supervisor', 'clerk', 'finance'] },
  },
  {
    operationId: 'createTariff',
    method: 'POST',
    url: '/v1/offices/:id/tariffs',
    access: { kind: 'staff', roles: ['admin', 'supervisor'] },
  },
  {
    operationId: 'endTariff',
    method: 'POST',
    url: '/v1/offices/:id/tariffs/:tariffId/end',
    access: { kind: 'staff', roles: ['admin', 'supervisor'] },
  },
  { operationId: 'createQuote', method: 'POST', url: '/v1/quotes', access: { kind: 'public' } },
  // Citizens book online; at the counter only clerks and supervisors book for them (not finance, not admins).
  {
    operationId: 'createBooking',
    method: 'POST',
    url: '/v1/bookings',
    access: { kind: 'public', staffRoles: ['clerk', 'supervisor'] },
  },
  { operationId: 'listBookings', method: 'GET', url: '/v1/bookings', access: { kind: 'staff', roles: ['clerk', 'supervisor', 'finance'] } },
  { operationId: 'getBooking', method: 'GET', url: '/v1/bookings/:id', access: { kind: 'staff', roles: ['clerk', 'supervisor'] } },
  { operationId: 'trackBooking', method: 'GET', url: '/v1/tracking', access: { kind: 'public' } },
  { operationId: 'confirmPinLetter', method: 'POST', url: '/v1/tracking/pin-letter', access: { kind: 'public' } },
  { operationId: 'exportOwnPersonalData', method: 'GET', url: '/v1/tracking/personal-data', access: { kind: 'public' } },
  { operationId: 'erasePersonalData', method: 'POST', url: '/v1/bookings/:id/erase', access: { kind: 'staff', roles: ['supervisor'] } },
  {
    operationId: 'exportPersonalData',
    method: 'GET',
    url: '/v1/bookings/:id/personal-data',
    access: { kind: 'staff', roles: ['clerk', 'supervisor'] },
  },
  { operationId: 'rescheduleBooking', method: 'POST', url: '/v1/tracking/reschedule', access: { kind: 'public' } },
  {
    operationId: 'cancelBooking',
    method: 'POST',
    url: '/v1/bookings/:id/cancel',
    access: { kind: 'staff_or_tracking_token', roles: ['clerk', 'supervisor'] },
  },
  {
    operationId: 'recordDocumentArrival',
    method: 'POST',
    url: '/v1/document-arrivals',
    access: { kind: 'staff', roles: ['clerk', 'supervisor'] },
  },
  { operationId: 'signIn', method: 'POST', url: '/v1/auth/sessions', access: { kind: 'public', ignoresStaffToken: true } },
  { operationId: 'signOut', method: 'DELETE', url: '/v1/auth/sessions/current', access: { kind: 'staff', roles: ALL } },
  { operationId: 'getCurrentStaff', method: 'GET', url: '/v1/auth/me', access: { kind: 'staff', roles: ALL } },
  { operationId: 'createStaffUser', method: 'POST', url: '/v1/staff', access: { kind: 'staff', roles: ['admin'] } },
  { operationId: 'listStaffUsers', method: 'GET', url: '/v1/staff', access: { kind: 'staff', roles: ['admin'] } },
  { operationId: 'receiveStripeEvent', method: 'POST', url: '/v1/webhooks/stripe', access: { kind: 'signature' } },
  // The courier registry is the city's contract management: admins only.
  { operationId: 'createCourierCompany', method: 'POST', url: '/v1/courier-companies', access: { kind: 'staff', roles: ['admin'] } },
  { operationId: 'listCourierCompanies', method: 'GET', url: '/v1/courier-companies', access: { kind: 'staff', roles: ['admin'] } },
  { operationId: 'getCourierCompany', method: 'GET', url: '/v1/courier-companies/:id', access: { kind: 'staff', roles: ['admin'] } },
  { operationId: 'updateCourierCompany', method: 'PATCH', url: '/v1/courier-companies/:id', access: { kind: 'staff', roles: ['admin'] } },
  {
    operationId: 'rotateCourierApiKey',
    method: 'POST',
    url: '/v1/courier-companies/:id/api-key',
    access: { kind: 'staff', roles: ['admin'] },
  },
  {
    operationId: 'rotateCourierSigningSecret',
    method: 'POST',
    url: '/v1/courier-companies/:id/signing-secret',
    access: { kind: 'staff', roles: ['admin'] },
  },
  // A courier company with its own key, on its own things only (see test/couriers).
  { operationId: 'getOwnCourierCompany', method: 'GET', url: '/v1/courier/company', access: { kind: 'courier_company' } },
  { operationId: 'announceCourierShift', method: 'POST', url: '/v1/courier/shifts', access: { kind: 'courier_company' } },
  { operationId: 'listOwnCourierShifts', method: 'GET', url: '/v1/courier/shifts', access: { kind: 'courier_company' } },
  // Its riders for the rider app (/kurier): the company's own accounts only (see test/couriers/riders.test.ts).
  { operationId: 'createCourierRider', method: 'POST', url: '/v1/courier/riders', access: { kind: 'courier_company' } },
  { operationId: 'listCourierRiders', method: 'GET', url: '/v1/courier/riders', access: { kind: 'courier_company' } },
  {
    operationId: 'deactivateCourierRider',
    method: 'POST',
    url: '/v1/courier/riders/:id/deactivate',
    access: { kind: 'courier_company' },
  },
  { operationId: 'listOwnRoutes', method: 'GET', url: '/v1/courier/routes', access: { kind: 'courier_company' } },
  { operationId: 'getOwnRoute', method: 'GET', url: '/v1/courier/routes/:id', access: { kind: 'courier_company' } },
  { operationId: 'acceptRoute', method: 'POST', url: '/v1/courier/routes/:id/accept', access: { kind: 'courier_company' } },
  { operationId: 'declineRoute', method: 'POST', url: '/v1/courier/routes/:id/decline', access: { kind: 'courier_company' } },
  { operationId: 'postCourierEvent', method: 'POST', url: '/v1/courier/events', access: { kind: 'courier_company' } },
  // The same events signed with the company's secret; the signature is the credential.
  { operationId: 'receiveCourierEvent', method: 'POST', url: '/v1/webhooks/courier/:companyId', access: { kind: 'signature' } },
  // Dispatch at the office: clerks and supervisors hand documents over and check them back in under
  // four eyes; a route's state and a document's custody are for the office's staff (and admins);
  // only supervisors (and admins) take a route back.
  { operationId: 'getRoute', method: 'GET', url: '/v1/routes/:id', access: { kind: 'staff', roles: ['clerk', 'supervisor', 'admin'] } },
  { operationId: 'releaseRoute', method: 'POST', url: '/v1/routes/:id/release', access: { kind: 'staff', roles: ['supervisor', 'admin'] } },
  {
    operationId: 'startHandover',
    method: 'POST',
    url: '/v1/routes/:id/handover',
    access: { kind: 'staff', roles: ['clerk', 'supervisor'] },
  },
  { operationId: 'startReturn', method: 'POST', url: '/v1/routes/:id/return', access: { kind: 'staff', roles: ['clerk', 'supervisor'] } },
  { operationId: 'getHandover', method: 'GET', url: '/v1/handovers/:id', access: { kind: 'staff', roles: ['clerk', 'supervisor'] } },
  {
    operationId: 'confirmHandover',
    method: 'POST',
    url: '/v1/handovers/:id/confirm',
    access: { kind: 'staff', roles: ['clerk', 'supervisor'] },
  },
  {
    operationId: 'getCustodyChain',
    method: 'GET',
    url: '/v1/bookings/:id/custody',
    access: { kind: 'staff', roles: ['clerk', 'supervisor', 'admin'] },
  },
  // Outbound courier webhooks: admins and supervisors look into deliveries (never the events' data);
  // only admins replay an event or enable an endpoint a 410 disabled; a company sees its own events.
  { operationId: 'listWebhookEvents', method: 'GET', url: '/v1/webhook-events', access: { kind: 'staff', roles: ['admin', 'supervisor'] } },
  {
    operationId: 'getWebhookEvent',
    method: 'GET',
    url: '/v1/webhook-events/:id',
    access: { kind: 'staff', roles: ['admin', 'supervisor'] },
  },
  { operationId: 'replayWebhookEvent', method: 'POST', url: '/v1/webhook-events/:id/replay', access: { kind: 'staff', roles: ['admin'] } },
  {
    operationId: 'enableCourierWebhook',
    method: 'POST',
    url: '/v1/courier-companies/:id/webhook/enable',
    access: { kind: 'staff', roles: ['admin'] },
  },
  { operationId: 'listOwnWebhookEvents', method: 'GET', url: '/v1/courier/webhook-events', access: { kind: 'courier_company' } },
  { operationId: 'getOwnWebhookEvent', method: 'GET', url: '/v1/courier/webhook-events/:id', access: { kind: 'courier_company' } },
  {
    operationId: 'createCourierShift',
    method: 'POST',
    url: '/v1/offices/:officeId/courier-shifts',
    access: { kind: 'staff', roles: ['supervisor', 'admin'] },
  },
  {
    operationId: 'listCourierShifts',
    method: 'GET',
    url: '/v1/offices/:officeId/courier-shifts',
    access: { kind: 'staff', roles: ['supervisor', 'admin'] },
  },
  { operationId: 'createPlan', method: 'POST', url: '/v1/offices/:officeId/plans', access: { kind: 'staff', roles: ['supervisor'] } },
  {
    operationId: 'getPlan',
    method: 'GET',
    url: '/v1/offices/:officeId/plans/:deliveryDate',
    access: { kind: 'staff', roles: ['clerk', 'supervisor'] },
  },
  {
    operationId: 'confirmPlan',
    method: 'POST',
    url: '/v1/offices/:officeId/plans/:deliveryDate/confirm',
    access: { kind: 'staff', roles: ['supervisor'] },
  },
  {
    operationId: 'withdrawPlan',
    method: 'POST',
    url: '/v1/offices/:officeId/plans/:deliveryDate/withdraw',
    access: { kind: 'staff', roles: ['supervisor'] },
  },
  {
    operationId: 'getPlanGeoJSON',
    method: 'GET',
    url: '/v1/offices/:officeId/plans/:deliveryDate/geojson',
    access: { kind: 'staff', roles: ['supervisor'] },
  },
];

/** Operations outside /v1 (no access declaration needed): probes for the orchestrator. */
const UNVERSIONED_PUBLIC = ['getLiveness', 'getReadiness'];

const sortOps = <T extends { operationId: string }>(ops: T[]) => [...ops].sort((a, b) => a.operationId.localeCompare(b.operationId));

/**
 * The smallest request that passes access control: validation may still reject it (400/404/422).
 * An office in the path is the caller's own, so office scoping does not stand in for the role check.
 */
function minimalRequest(op: RegisteredOperation, officeId: string) {
  const path = op.url.replace(/^\/v1\/offices\/:[A-Za-z]+/, `/v1/offices/${officeId}`).replace(/:[A-Za-z]+/g, () => randomUUID());
  const body = ['POST', 'PUT', 'PATCH'].includes(op.method) ? {} : undefined;
  return { path, body, headers: { 'idempotency-key': randomUUID() } as Record<string, string> };
}

/**
 * A staff account with a live session, written straight to the database: the matrix needs many
 * sessions and scrypt (deliberately slow) would dominate the run. Sign-in itself is tested elsewhere.
 */
async function quickStaff(db: Database, roles: StaffRole[], officeId: string | null, hours = 12) {
  const [inserted] = await db
    .insert(staffUsers)
    .values({
      username: `m-${randomUUID().slice(0, 12)}`,
      displayName: 'Matrix',
      passwordHash: 'scrypt$unusable',
      roles,
      officeId,
    })
    .returning();
  const user = must(inserted, 'INSERT staff_users RETURNING');
  return { user, ...(await quickSession(db, user.id, hours)) };
}

async function quickSession(db: Database, staffUserId: string, hours = 12) {
  const token = generateToken('ab_staff');
  await db.insert(staffSessions).values({ staffUserId, tokenHash: hashToken(token), expiresAt: new Date(Date.now() + hours * 3_600_000) });
  return { headers: { authorization: `Bearer ${token}` } };
}

/** A courier company registered directly, with its key as a bearer header (for cross-company probes). */
async function companyKey(p: TestPlatform, name: string) {
  const { company, apiKey, signingSecret } = await createCouriersService({ db: p.db, clock: () => new Date() }).createCompany(
    {
      name,
      vehicleTypes: ['bike'],
      zoneIds: [],
      pricePerDeliveryCents: 1,
      pricePerFailedAttemptCents: 1,
      contact: { name: 'M', email: 'm@example.org' },
    },
    toPrincipal((await quickStaff(p.db, ['admin'], null)).user),
  );
  return { company, companyId: company.id, signingSecret, headers: { authorization: `Bearer ${apiKey}` } };
}

// One platform for the whole file (the `test` fixture): the matrix and the document are read from the same app.
describe('who may call which operation', () => {
  let officeId: string;
  const tokens = new Map<StaffRole, Record<string, string>>();

  test.beforeAll(async ({ p }) => {
    ({
      office: { id: officeId },
    } = await seedOffice(p.db));
    for (const role of ROLES) {
      const { headers } = await quickStaff(p.db, [role], role === 'clerk' || role === 'supervisor' ? officeId : null);
      tokens.set(role, headers);
    }
  });

  async function call(p: TestPlatform, op: RegisteredOperation, auth: Record<string, string>) {
    const req = minimalRequest(op, officeId);
    return api(p, op.method, req.path, { body: req.body, headers: { ...req.headers, ...auth } });
  }

  test('the registered operations are exactly the reviewed table', ({ p }) => {
    const actual = p.app.operations.map(({ operationId, method, url, access }) => ({ operationId, method, url, access }));
    expect(sortOps(actual)).toEqual(sortOps(EXPECTED));
  });

  test('every operation in the OpenAPI document is either access-controlled or a declared unversioned probe', ({ p }) => {
    const doc = p.app.swagger() as unknown as { paths: Record<string, Record<string, { operationId?: string }>> };
    const inDoc = Object.values(doc.paths).flatMap((ops) => Object.values(ops).map((o) => o.operationId));
    const known = [...p.app.operations.map((o) => o.operationId), ...UNVERSIONED_PUBLIC];
    expect([...inDoc].sort()).toEqual([...known].sort());
  });

  test('staff operations answer 401 without credentials, 403 to undeclared roles and let declared roles through', async ({ p }) => {
    const staffOps = p.app.operations.filter((o) => o.access.kind === 'staff' && o.operationId !== 'signOut');
    expect(staffOps.length).toBeGreaterThan(5);
    for (const op of staffOps) {
      const roles = (op.access as { roles: readonly StaffRole[] }).roles;
      const anonymous = await call(p, op, {});
      expect(anonymous.status, `${op.operationId} without credentials`).toBe(401);
      expect(anonymous.body.error).toMatchObject({ code: 'auth.required', requestId: expect.any(String) });
      for (const role of ROLES) {
        const res = await call(p, op, must(tokens.get(role), 'tokens.get(role)'));
        if (roles.includes(role)) {
          expect([401, 403], `${op.operationId} as ${role}: ${JSON.stringify(res.body)}`).not.toContain(res.status);
          expect(res.status, `${op.operationId} as ${role}`).toBeLessThan(500);
        } else {
          expect(res.status, `${op.operationId} as ${role}`).toBe(403);
          expect(res.body.error.code).toBe('auth.forbidden');
        }
      }
    }
  });

  test('courier company operations answer 401 without a key and to every staff token', async ({ p }) => {
    const courierOps = p.app.operations.filter((o) => o.access.kind === 'courier_company');
    expect(courierOps.map((o) => o.operationId).sort()).toEqual([
      'acceptRoute',
      'announceCourierShift',
      'createCourierRider',
      'deactivateCourierRider',
      'declineRoute',
      'getOwnCourierCompany',
      'getOwnRoute',
      'getOwnWebhookEvent',
      'listCourierRiders',
      'listOwnCourierShifts',
      'listOwnRoutes',
      'listOwnWebhookEvents',
      'postCourierEvent',
    ]);
    for (const op of courierOps) {
      expect((await call(p, op, {})).status, op.operationId).toBe(401);
      for (const role of ROLES) expect((await call(p, op, must(tokens.get(role), role))).status, `${op.operationId} as ${role}`).toBe(401);
    }
  });

  test('a second company’s key reads none of the first company’s webhook events', async ({ p }) => {
    const a = await companyKey(p, 'Matrix A');
    const b = await companyKey(p, 'Matrix B');
    // No webhook URL: the event stays pending, unsent, and is A's only.
    const { id } = await p.db.transaction((tx) => appendOutboundEvent(tx, { companyId: a.companyId, type: 'route.offered', data: {} }));
    const ownA = await api(p, 'GET', '/v1/courier/webhook-events', { headers: a.headers });
    expect(ownA.body.data.map((e: { id: string }) => e.id)).toEqual([id]);
    const listB = await api(p, 'GET', '/v1/courier/webhook-events', { headers: b.headers });
    expect(listB.status).toBe(200);
    expect(listB.body.data).toEqual([]);
    const oneB = await api(p, 'GET', `/v1/courier/webhook-events/${id}`, { headers: b.headers });
    expect(oneB.status).toBe(404);
    expect(JSON.stringify(oneB.body)).not.toContain(a.companyId);
    // B filtering for A's subject or status changes nothing: the company filter is not the client's.
    for (const q of ['status=pending', 'type=route.offered', `companyId=${a.companyId}`]) {
      const res = await api(p, 'GET', `/v1/courier/webhook-events?${q}`, { headers: b.headers });
      expect(res.status === 400 || res.body.data.length === 0, q).toBe(true);
    }
  });

  test('a second company’s key reaches none of the first company’s routes, reading or writing', async ({ p }) => {
    const a = await companyKey(p, 'Route A');
    const b = await companyKey(p, 'Route B');
    // A confirmed plan with one route offered to A (rows written directly: no solve needed here).
    const now = new Date();
    const later = new Date(now.getTime() + 3_600_000);
    const [shift] = await p.db
      .insert(courierShifts)
      .values({
        officeId,
        deliveryDate: '2030-01-02',
        vehicleType: 'bike',
        vehicleCount: 1,
        capacity: 5,
        shiftStart: now,
        shiftEnd: later,
        courierCompanyId: a.company.id,
      })
      .returning();
    const [plan] = await p.db.insert(plans).values({ officeId, deliveryDate: '2030-01-02', status: 'confirmed' }).returning();
    const [route] = await p.db
      .insert(planRoutes)
      .values({
        planId: must(plan, 'plan').id,
        sequence: 1,
        vehicleId: 'v1',
        vehicleType: 'bike',
        shiftId: must(shift, 'shift').id,
        startsAt: now,
        endsAt: later,
        distanceMetres: 1,
        durationSeconds: 1,
        travelSeconds: 1,
        geometry: { type: 'LineString', coordinates: [] },
        courierCompanyId: a.company.id,
        dispatchStatus: 'offered',
        version: 1,
      })
      .returning();
    const routeId = must(route, 'route').id;
    await p.db
      .insert(routeOffers)
      .values({ routeId, companyId: a.company.id, shiftId: must(shift, 'shift').id, offeredAt: now, deadline: later });
    const event = (type: string, data: Record<string, unknown>) => ({
      id: `evt-${randomUUID()}`,
      type,
      timestamp: new Date().toISOString(),
      data,
    });
    const jobId = randomUUID();
    const probes: Array<[string, string, unknown?]> = [
      ['GET', `/v1/courier/routes/${routeId}`],
      ['POST', `/v1/courier/routes/${routeId}/accept`],
      ['POST', `/v1/courier/routes/${routeId}/decline`, {}],
      ['POST', '/v1/courier/events', event('route.accepted', { routeId })],
      ['POST', '/v1/courier/events', event('route.declined', { routeId })],
      ['POST', '/v1/courier/events', event('route.started', { routeId })],
      ['POST', '/v1/courier/events', event('stop.arrived', { routeId, jobId })],
      ['POST', '/v1/courier/events', event('stop.failed', { routeId, jobId, reason: 'not_home' })],
      ['POST', '/v1/courier/events', event('document.returned', { routeId, jobIds: [jobId] })],
      ['POST', '/v1/courier/events', event('route.completed', { routeId })],
    ];
    for (const [method, path, body] of probes) {
      const res = await api(p, method, path, { headers: b.headers, ...(body === undefined ? {} : { body }) });
      expect(res.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(404);
    }
    expect((await api(p, 'GET', '/v1/courier/routes', { headers: b.headers })).body.data).toEqual([]);
    // B's signature on A's endpoint verifies against nothing.
    const raw = JSON.stringify(event('route.accepted', { routeId }));
    const msgId = `msg_${randomUUID()}`;
    const signed = await fetch(`${p.address}/v1/webhooks/courier/${a.company.id}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': msgId,
        'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
        'webhook-signature': new Webhook(b.signingSecret).sign(msgId, new Date(), raw),
      },
      body: raw,
    });
    expect(signed.status).toBe(400);
    // Nothing moved: the route is still A's offer, and A itself can take it.
    expect((await api(p, 'GET', `/v1/courier/routes/${routeId}`, { headers: a.headers })).body.dispatchStatus).toBe('offered');
    expect((await api(p, 'POST', `/v1/courier/routes/${routeId}/accept`, { headers: a.headers })).status).toBe(200);
  });

  test('every role may sign itself out, and nobody may without a session', async ({ p }) => {
    const op = must(
      p.app.operations.find((o) => o.operationId === 'signOut'),
      "p.app.operations.find((o) => o.operationId === 'signOut')",
    );
    expect((await call(p, op, {})).status).toBe(401);
    for (const role of ROLES) {
      const { headers } = await quickStaff(p.db, [role], role === 'clerk' || role === 'supervisor' ? officeId : null);
      expect((await call(p, op, headers)).status, role).toBe(204);
      expect((await api(p, 'GET', '/v1/auth/me', { headers })).status, role).toBe(401);
    }
  });

  test('cancellation is open to declared roles and to a tracking-token holder, 401 without either', async ({ p }) => {
    const op = must(
      p.app.operations.find((o) => o.operationId === 'cancelBooking'),
      "p.app.operations.find((o) => o.operationId === 'cancelBooking')",
    );
    const { roles } = op.access as { roles: readonly StaffRole[] };
    expect((await call(p, op, {})).status).toBe(401);
    expect((await call(p, op, { 'tracking-token': 'short' })).status).toBe(401);
    // A well-formed token passes access control; the unknown booking is then a 404.
    const withToken = await call(p, op, { 'tracking-token': `ab_track_${randomUUID()}` });
    expect(withToken.status).toBe(404);
    for (const role of ROLES) {
      const res = await call(p, op, must(tokens.get(role), 'tokens.get(role)'));
      expect(res.status, role).toBe(roles.includes(role) ? 404 : 403);
    }
  });

  test('public and signature operations are reachable without credentials and by every role', async ({ p }) => {
    const open = p.app.operations.filter((o) => o.access.kind === 'public' || o.access.kind === 'signature');
    expect(open.map((o) => o.operationId).sort()).toEqual([
      'confirmPinLetter',
      'createBooking',
      'createQuote',
      'exportOwnPersonalData',
      'listDeliverySlots',
      'listOffices',
      'receiveCourierEvent',
      'receiveStripeEvent',
      'rescheduleBooking',
      'signIn',
      'trackBooking',
    ]);
    for (const op of open) {
      const staffRoles = op.access.kind === 'public' ? op.access.staffRoles : undefined;
      for (const role of [null, ...ROLES]) {
        const res = await call(p, op, role ? must(tokens.get(role), 'tokens.get(role)') : {});
        if (role && staffRoles && !staffRoles.includes(role)) {
          // A staff token on a public operation is checked too: finance cannot book at the counter.
          expect(res.status, `${op.operationId} as ${role}`).toBe(403);
          expect(res.body.error.code).toBe('auth.forbidden');
          continue;
        }
        expect([401, 403], `${op.operationId} ${JSON.stringify(res.body)}`).not.toContain(res.status);
        expect(res.status).toBeLessThan(500);
      }
    }
    for (const path of ['/health/live', '/health/ready']) expect((await api(p, 'GET', path)).status).toBe(200);
  });

  test('a staff member with several roles gets the union of their rights', async ({ p }) => {
    const { headers } = await quickStaff(p.db, ['finance', 'clerk'], officeId);
    const res = await api(p, 'GET', `/v1/bookings/${randomUUID()}`, { headers });
    expect(res.status).toBe(404);
  });

  describe('a token that is not a live session is refused with 401', () => {
    const getMe = (p: TestPlatform, headers: Record<string, string>) => api(p, 'GET', '/v1/auth/me', { headers });

    test('an unknown token', async ({ p }) => {
      const res = await getMe(p, { authorization: `Bearer ab_staff_${randomUUID()}` });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('auth.invalid_token');
    });

    test('a malformed Authorization header', async ({ p }) => {
      for (const authorization of ['Basic dXNlcjpwYXNz', 'Bearer', 'Bearer short', `Bearer ${'x'.repeat(201)}`, 'Bearer a b c d e f g h']) {
        const res = await getMe(p, { authorization });
        expect(res.status, authorization).toBe(401);
        expect(res.body.error.code).toBe('auth.malformed');
      }
    });

    test('an expired session', async ({ p }) => {
      const { headers } = await quickStaff(p.db, ['clerk'], officeId);
      expect((await getMe(p, headers)).status).toBe(200);
      const hours = p.config.env.STAFF_SESSION_HOURS;
      p.clock.advance((hours + 1) * 3_600_000);
      try {
        const res = await getMe(p, headers);
        expect(res.status).toBe(401);
        expect(res.body.error.code).toBe('auth.invalid_token');
      } finally {
        p.clock.advance(-(hours + 1) * 3_600_000);
      }
    });

    test('a session ended by signOut', async ({ p }) => {
      const { headers } = await quickStaff(p.db, ['clerk'], officeId);
      expect((await api(p, 'DELETE', '/v1/auth/sessions/current', { headers })).status).toBe(204);
      const res = await getMe(p, headers);
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('auth.invalid_token');
      // Public operations do not silently downgrade a dead staff session to a citizen.
      expect((await api(p, 'POST', '/v1/quotes', { headers, body: {} })).status).toBe(401);
    });

    test('signing in again works while the client still sends the dead token', async ({ p }) => {
      const username = `again-${randomUUID().slice(0, 8)}`;
      const password = 'a long passphrase 2026';
      const { id } = await p.auth.createStaffUser({ username, displayName: 'Again', password, roles: ['clerk'], officeId, actorId: null });
      const { headers } = await quickSession(p.db, id);
      expect((await api(p, 'DELETE', '/v1/auth/sessions/current', { headers })).status).toBe(204);
      const res = await api(p, 'POST', '/v1/auth/sessions', { headers, body: { username, password } });
      expect(res.status).toBe(201);
      expect(res.body.staff.id).toBe(id);
    });

    test('the session of a deactivated account', async ({ p }) => {
      const { user, headers } = await quickStaff(p.db, ['admin'], null);
      expect((await getMe(p, headers)).status).toBe(200);
      await p.db.update(staffUsers).set({ active: false }).where(eq(staffUsers.id, user.id));
      expect((await getMe(p, headers)).status).toBe(401);
    });
  });
});

interface OpenApiOperation {
  operationId?: string;
  tags?: string[];
  requestBody?: { content: Record<string, { schema?: object; example?: unknown; examples?: Record<string, { value: unknown }> }> };
  responses?: Record<string, { content?: Record<string, { schema?: object }> }>;
}

describe('the OpenAPI document describes every operation fully', () => {
  let doc: { paths: Record<string, Record<string, OpenApiOperation>>; components: { schemas?: Record<string, object> } };
  let operations: Array<[string, OpenApiOperation]>;

  test.beforeAll(async ({ p }) => {
    doc = p.app.swagger() as unknown as typeof doc;
    operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([m, o]) => [`${m.toUpperCase()} ${path}`, o] as [string, OpenApiOperation]),
    );
  });

  test('every operation has an operationId and tags', () => {
    expect(operations.length).toBeGreaterThanOrEqual(EXPECTED.length + UNVERSIONED_PUBLIC.length);
    for (const [name, op] of operations) {
      expect(op.operationId, name).toMatch(/^[a-z][A-Za-z]+$/);
      expect(op.tags?.length, name).toBeGreaterThan(0);
    }
  });

  test('every response status has a JSON schema (204 has no body)', () => {
    for (const [name, op] of operations) {
      const responses = Object.entries(op.responses ?? {});
      expect(responses.length, name).toBeGreaterThan(0);
      for (const [status, response] of responses) {
        if (status === '204') {
          expect(response.content, `${name} ${status}`).toBeUndefined();
          continue;
        }
        expect(response.content?.['application/json']?.schema, `${name} ${status}`).toBeDefined();
      }
    }
  });

  test('every operation that validates input documents the 400 it answers', () => {
    for (const [name, op] of operations) {
      const o = op as OpenApiOperation & { parameters?: unknown[] };
      if (o.requestBody || (o.parameters?.length ?? 0) > 0) expect(Object.keys(op.responses ?? {}), name).toContain('400');
    }
  });

  test('every request body has an example that its own schema accepts', () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormatsPlugin.default(ajv);
    for (const [name, schema] of Object.entries(doc.components.schemas ?? {})) ajv.addSchema(schema, `#/components/schemas/${name}`);
    const bodies = operations.filter(([, op]) => op.requestBody);
    expect(bodies.map(([, op]) => op.operationId)).toEqual(
      expect.arrayContaining(['cancelBooking', 'createBooking', 'createQuote', 'createStaffUser', 'recordDocumentArrival', 'signIn']),
    );
    for (const [name, op] of bodies) {
      const media = must(must(op.requestBody, 'op.requestBody').content['application/json'], `${name} application/json body`);
      expect(media.schema, name).toBeDefined();
      const schema = must(media.schema, `${name} request body schema`);
      const examples = [
        ...(media.example !== undefined ? [media.example] : []),
        ...Object.values(media.examples ?? {}).map((e) => e.value),
      ];
      expect(examples.length, `${name} has no example`).toBeGreaterThan(0);
      const validate = ajv.compile(schema);
      for (const example of examples) expect(validate(example) ? null : validate.errors, name).toBeNull();
    }
  });
});
