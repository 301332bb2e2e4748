import { describe, expect } from 'vitest';
import { createBookingsRepository } from '../../src/bookings/bookings.repository.ts';
import { test } from '../helpers/platform-fixture.ts';
import { api, createPaidBooking, seedOffice } from '../helpers/test-platform.ts';

describe('the PIN letter of an ID card (§ 13 PAuswG)', () => {
  let officeId: string;
  test.beforeAll(async ({ p }) => {
    ({
      office: { id: officeId },
    } = await seedOffice(p.db));
  });

  test('an ID card is not plannable until the citizen confirms the PIN letter; confirming is idempotent', async ({ p }) => {
    const clerk = await p.staff(['clerk'], officeId);
    const { booking, trackingToken } = await createPaidBooking(p, officeId);
    const arrival = await api(p, 'POST', '/v1/document-arrivals', {
      ...clerk,
      body: { officeId, applicationNumber: booking.applicationNumber },
    });
    expect(arrival.body.status).toBe('document_ready');
    const plannable = async () => (await createBookingsRepository(p.db).plannableBookings(officeId, 2)).map((b) => b.id);
    expect(await plannable()).not.toContain(booking.id);
    const tracked = await api(p, 'GET', '/v1/tracking', { headers: { 'tracking-token': trackingToken } });
    expect(tracked.body.nextSteps[0]).toEqual({ code: 'confirm_pin_letter' });

    const confirmed = await api(p, 'POST', '/v1/tracking/pin-letter', { headers: { 'tracking-token': trackingToken } });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.alreadyConfirmed).toBe(false);
    expect(await plannable()).toContain(booking.id);
    const again = await api(p, 'POST', '/v1/tracking/pin-letter', { headers: { 'tracking-token': trackingToken } });
    expect(again.body).toEqual({ pinLetterConfirmedAt: confirmed.body.pinLetterConfirmedAt, alreadyConfirmed: true });
    const after = await api(p, 'GET', '/v1/tracking', { headers: { 'tracking-token': trackingToken } });
    expect(after.body.nextSteps).toEqual([{ code: 'wait_for_delivery' }]);
    expect(after.body.pinLetter.confirmedAt).toBe(confirmed.body.pinLetterConfirmedAt);
  });

  test('a passport has no PIN letter: it is plannable once scanned, and confirming one is refused', async ({ p }) => {
    const clerk = await p.staff(['clerk'], officeId);
    const { booking, trackingToken } = await createPaidBooking(p, officeId);
    await p.db.execute(`update bookings set document_type = 'passport' where id = '${String(booking.id)}'`);
    await api(p, 'POST', '/v1/document-arrivals', { ...clerk, body: { officeId, applicationNumber: booking.applicationNumber } });
    expect((await createBookingsRepository(p.db).plannableBookings(officeId, 2)).map((b) => b.id)).toContain(booking.id);
    const refused = await api(p, 'POST', '/v1/tracking/pin-letter', { headers: { 'tracking-token': trackingToken } });
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('booking.pin_letter_not_applicable');
    const unknown = await api(p, 'POST', '/v1/tracking/pin-letter', { headers: { 'tracking-token': 'ab_track_unknown_token_123' } });
    expect(unknown.status).toBe(404);
  });

  test('scan-in starts the custody chain: the document is in the office', async ({ p }) => {
    const clerk = await p.staff(['clerk'], officeId);
    const { booking } = await createPaidBooking(p, officeId);
    await api(p, 'POST', '/v1/document-arrivals', { ...clerk, body: { officeId, applicationNumber: booking.applicationNumber } });
    const custody = await api(p, 'GET', `/v1/bookings/${String(booking.id)}/custody`, clerk);
    expect(custody.body.holder).toBe('office');
    expect(custody.body.entries).toEqual([
      expect.objectContaining({ from: null, to: 'office', event: 'arrived', staffIds: [clerk.user.id] }),
    ]);
  });
});
