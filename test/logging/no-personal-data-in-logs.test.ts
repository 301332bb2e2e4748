import { randomUUID } from 'node:crypto';
import { describe, expect } from 'vitest';
import { registerCompany } from '../dispatch/helpers.ts';
import { createLogCapture } from '../helpers/log-capture.ts';
import { must } from '../helpers/must.ts';
import { platformTest } from '../helpers/platform-fixture.ts';
import { api, bookingBody, eventually, NEAR, seedOffice } from '../helpers/test-platform.ts';
import { createShift } from '../planning/helpers.ts';

// Everything the platform logs at the most verbose level, API and workers, for the whole file.
const logs = createLogCapture();
const test = platformTest({ workers: true, logger: logs.logger });

/** Values no log line may carry: a recipient's contact data and address, and the secrets of the flow. */
const PERSON = {
  name: 'Wilhelmine Quastenberg',
  phone: '+49 711 98765432',
  email: 'wilhelmine.quastenberg@example.org',
};
const STREET = 'Zwetschgenallee';

describe('logs carry no personal data', () => {
  test(
    'a booking from quote to delivery and a failed attempt, logged at trace level: no name, street, phone, e-mail, token or secret',
    { timeout: 120_000 },
    async ({ p }) => {
      const { office, bikeZone } = await seedOffice(p.db);
      const company = await registerCompany(p, { name: 'Protokoll Velo', zoneIds: [bikeZone.id] });
      const supervisor = await p.staff(['supervisor'], office.id);
      const clerkA = await p.staff(['clerk'], office.id);
      const clerkB = await p.staff(['clerk'], office.id);
      const address = { street: STREET, houseNumber: '7', postalCode: '70173', city: 'Stuttgart' };

      const booked = [];
      for (const suffix of ['1', '2']) {
        const quote = await api(p, 'POST', '/v1/quotes', { body: { officeId: office.id, address, location: NEAR } });
        const body = bookingBody(quote.body.id, {
          documentType: 'passport',
          recipient: { ...PERSON, name: `${PERSON.name} ${suffix}` },
          address,
        });
        const created = await api(p, 'POST', '/v1/bookings', { body, headers: { 'idempotency-key': randomUUID() } });
        expect(created.status, JSON.stringify(created.body)).toBe(201);
        await p.stripe.paymentIntents.confirm(created.body.payment.paymentIntentId, { payment_method: 'pm_card_visa' });
        booked.push(created.body);
      }
      await p.sandbox.flushWebhooks();
      for (const b of booked) {
        expect((await api(p, 'GET', '/v1/tracking', { headers: { 'tracking-token': b.trackingToken } })).status).toBe(200);
        expect((await api(p, 'GET', `/v1/bookings/${b.booking.id}`, clerkA)).status).toBe(200);
        const arrived = await api(p, 'POST', '/v1/document-arrivals', {
          ...clerkA,
          body: { officeId: office.id, applicationNumber: b.booking.applicationNumber },
        });
        expect(arrived.status, JSON.stringify(arrived.body)).toBe(200);
      }

      const day = new Date(booked[0].booking.preferredWindows[0].start).toLocaleDateString('sv-SE', { timeZone: 'Europe/Berlin' });
      await createShift(p, office.id, supervisor.headers, { date: day, vehicleType: 'bike', courierCompanyId: company.company.id });
      expect((await api(p, 'POST', `/v1/offices/${office.id}/plans`, { ...supervisor, body: { deliveryDate: day } })).status).toBe(202);
      await eventually(
        () => api(p, 'GET', `/v1/offices/${office.id}/plans/${day}`, supervisor),
        (r) => r.body?.status === 'draft',
        30_000,
      );
      expect((await api(p, 'POST', `/v1/offices/${office.id}/plans/${day}/confirm`, supervisor)).status).toBe(200);
      const plan = await api(p, 'GET', `/v1/offices/${office.id}/plans/${day}`, supervisor);
      const routeId = must(plan.body.routes[0]?.id as string | undefined, 'route');
      await eventually(
        () => api(p, 'POST', `/v1/courier/routes/${routeId}/accept`, { headers: company.headers }),
        (r) => r.status === 200,
        30_000,
      );
      const scanned = booked.map((b) => b.booking.applicationNumber as string);
      const started = await api(p, 'POST', `/v1/routes/${routeId}/handover`, {
        ...clerkA,
        body: { scanned, courierName: 'Mia Berger', courierRef: 'r-1' },
      });
      expect((await api(p, 'POST', `/v1/handovers/${started.body.id}/confirm`, clerkB)).status).toBe(200);
      const own = await api(p, 'GET', `/v1/courier/routes/${routeId}`, { headers: company.headers });
      const jobs = (own.body.route.stops as { jobId: string }[]).map((s) => s.jobId);
      expect((await company.event('route.started', { routeId })).status).toBe(200);
      const check = {
        methods: ['photo_comparison'],
        result: 'passed',
        checkedAt: p.clock().toISOString(),
        courier: { id: 'rider-9' },
        position: { lng: NEAR[0], lat: NEAR[1], accuracyMetres: 10 },
        oldDocumentCollected: true,
        recipientConfirmed: true,
      };
      expect((await company.event('stop.delivered', { routeId, jobId: jobs[0], identityCheck: check })).body.outcome).toBe('applied');
      // The failed attempt as a signed webhook, the other way a company reports.
      const failed = await company.signed({
        id: `evt_${randomUUID()}`,
        type: 'stop.failed',
        timestamp: p.clock().toISOString(),
        data: { routeId, jobId: jobs[1], reason: 'not_home', note: 'Klingel ohne Namen' },
      });
      expect(failed.body.outcome).toBe('applied');
      expect((await api(p, 'GET', `/v1/bookings/${booked[0].booking.id}/custody`, clerkA)).status).toBe(200);

      const all = logs.lines.join('');
      // The scan looks at something: the flow was logged, requests and jobs with their ids.
      expect(logs.lines.length).toBeGreaterThan(50);
      expect(all).toContain(routeId);
      for (const line of ['stripe event', 'courier event', 'incoming request']) expect(all).toContain(line);
      const secrets = [
        ...booked.map((b) => b.trackingToken as string),
        ...booked.map((b) => b.payment.clientSecret as string),
        company.apiKey,
        company.signingSecret,
        supervisor.headers.authorization.replace('Bearer ', ''),
        clerkA.headers.authorization.replace('Bearer ', ''),
      ];
      const forbidden = [
        PERSON.name,
        'Quastenberg',
        STREET,
        PERSON.email,
        PERSON.phone,
        PERSON.phone.replace(/\s/g, ''),
        '98765432',
        'Klingel ohne Namen',
        ...secrets,
      ];
      const hits = forbidden.filter((value) => all.includes(value));
      expect(hits).toEqual([]);
    },
  );
});
