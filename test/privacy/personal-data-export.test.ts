import { describe, expect } from 'vitest';
import { platformTest } from '../helpers/platform-fixture.ts';
import { api, createPaidBooking, seedOffice } from '../helpers/test-platform.ts';

const test = platformTest({ workers: false });

describe("the recipient's right of access (GDPR Art. 15)", () => {
  test('staff of the office export everything held about a booking, audited; other offices and other roles get nothing', async ({ p }) => {
    const { office } = await seedOffice(p.db);
    const { office: other } = await seedOffice(p.db);
    const { booking, request } = await createPaidBooking(p, office.id);
    const clerk = await p.staff(['clerk'], office.id);
    const arrived = await api(p, 'POST', '/v1/document-arrivals', {
      ...clerk,
      body: { officeId: office.id, applicationNumber: booking.applicationNumber },
    });
    expect(arrived.status).toBe(200);

    const res = await api(p, 'GET', `/v1/bookings/${booking.id}/personal-data`, clerk);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const data = res.body;
    expect(data.booking).toMatchObject({
      recipient: request.recipient,
      address: request.address,
      applicationNumber: booking.applicationNumber,
    });
    expect(data.events.map((e: { to: string }) => e.to)).toEqual(['awaiting_payment', 'paid', 'document_ready']);
    expect(data.payments).toEqual([expect.objectContaining({ status: 'succeeded', amountCents: booking.amountCents })]);
    expect(data.custody).toEqual([expect.objectContaining({ seq: expect.any(Number), to: 'office' })]);
    expect(data.audit.map((a: { action: string }) => a.action)).toEqual(
      expect.arrayContaining(['document.arrived', 'booking.personal_data_exported']),
    );

    expect((await api(p, 'GET', `/v1/bookings/${booking.id}/personal-data`, await p.staff(['clerk'], other.id))).status).toBe(404);
    expect((await api(p, 'GET', `/v1/bookings/${booking.id}/personal-data`, await p.staff(['finance'], null))).status).toBe(403);
    expect((await api(p, 'GET', `/v1/bookings/${booking.id}/personal-data`)).status).toBe(401);
  });

  test('the citizen downloads the same with the tracking token; a wrong token finds nothing', async ({ p }) => {
    const { office } = await seedOffice(p.db);
    const { booking, request, trackingToken } = await createPaidBooking(p, office.id);
    const res = await api(p, 'GET', '/v1/tracking/personal-data', { headers: { 'tracking-token': trackingToken } });
    expect(res.status).toBe(200);
    expect(res.body.booking).toMatchObject({ id: booking.id, recipient: request.recipient });
    // The citizen's own export is recorded too, and is in what they get.
    expect(res.body.audit).toEqual(
      expect.arrayContaining([expect.objectContaining({ action: 'booking.personal_data_exported', by: 'citizen' })]),
    );
    expect(
      (await api(p, 'GET', '/v1/tracking/personal-data', { headers: { 'tracking-token': `ab_track_${'x'.repeat(20)}` } })).status,
    ).toBe(404);
    expect((await api(p, 'GET', '/v1/tracking/personal-data')).status).toBe(400);
  });

  test('erasure on request: refused while the booking runs, then the recipient and street are gone, finance figures stay, audited, idempotent', async ({
    p,
  }) => {
    const { office } = await seedOffice(p.db);
    const { booking, request } = await createPaidBooking(p, office.id);
    const supervisor = await p.staff(['supervisor'], office.id);
    const clerk = await p.staff(['clerk'], office.id);
    expect((await api(p, 'POST', `/v1/bookings/${booking.id}/erase`, clerk)).status).toBe(403);
    const early = await api(p, 'POST', `/v1/bookings/${booking.id}/erase`, supervisor);
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('booking.erasure_too_early');

    expect(
      (await api(p, 'POST', `/v1/bookings/${booking.id}/cancel`, { ...clerk, body: { reason: 'Bürger wünscht Löschung' } })).status,
    ).toBe(200);
    const erased = await api(p, 'POST', `/v1/bookings/${booking.id}/erase`, supervisor);
    expect(erased.status).toBe(200);
    expect(erased.body.alreadyErased).toBe(false);
    const after = (await api(p, 'GET', `/v1/bookings/${booking.id}/personal-data`, clerk)).body;
    expect(JSON.stringify(after)).not.toContain(request.recipient.name);
    expect(JSON.stringify(after)).not.toContain(request.address.street);
    expect(JSON.stringify(after)).not.toContain('Bürger wünscht Löschung');
    expect(after.booking).toMatchObject({
      kassenzeichen: booking.kassenzeichen,
      amountCents: booking.amountCents,
      address: { postalCode: request.address.postalCode },
    });
    expect(after.audit.map((a: { action: string }) => a.action)).toContain('booking.erased_on_request');
    const again = await api(p, 'POST', `/v1/bookings/${booking.id}/erase`, supervisor);
    expect(again.body).toMatchObject({ alreadyErased: true });
    expect(
      (await api(p, 'POST', `/v1/bookings/${booking.id}/erase`, await p.staff(['supervisor'], (await seedOffice(p.db)).office.id))).status,
    ).toBe(404);
  });
});
