import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect } from 'vitest';
import type { ParsedMail } from 'mailparser';
import { createBookingsRepository } from '../../src/bookings/bookings.repository.ts';
import { createRetentionQueries } from '../../src/housekeeping/retention.queries.ts';
import { createNotificationsRepository } from '../../src/notifications/notifications.repository.ts';
import { createNotifications } from '../../src/notifications/notifications.wiring.ts';
import { notifications } from '../../src/notifications/notifications.table.ts';
import { createLogCapture } from '../helpers/log-capture.ts';
import { platformTest } from '../helpers/platform-fixture.ts';
import { startSmsStandIn } from '../helpers/sms-stand-in.ts';
import { startSmtpReceiver } from '../helpers/smtp-receiver.ts';
import { ADDRESS, NEAR, api, bookingBody, eventually, moveBooking, seedOffice, type TestPlatform } from '../helpers/test-platform.ts';

const smtp = await startSmtpReceiver();
const sms = await startSmsStandIn();
const logs = createLogCapture();
const test = platformTest({
  workers: true,
  logger: logs.logger,
  env: {
    NOTIFICATIONS: 'on',
    NOTIFICATION_RELAY_EVERY_MS: '100',
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(smtp.port),
    MAIL_FROM: 'Bürgerbüro <buergerbuero@stadt.example>',
    PUBLIC_BASE_URL: 'https://amtsbote.stadt.example',
    SMS_HTTP_URL: sms.url,
    SMS_HTTP_TOKEN: 'sms-token-for-tests',
  },
});
afterAll(async () => {
  await smtp.close();
  await sms.close();
});

let officeId: string;
test.beforeAll(async ({ p }) => {
  officeId = (await seedOffice(p.db)).office.id;
});

/** Each booking its own address, so a test counts only its own mails. */
const contact = () => {
  const tag = randomUUID().slice(0, 8);
  return { name: `Erika ${tag}`, phone: `+49 711 ${Math.floor(1_000_000 + Math.random() * 8_999_999)}`, email: `erika.${tag}@example.org` };
};
const allContacts: Array<ReturnType<typeof contact>> = [];

async function book(p: TestPlatform, locale?: 'de' | 'en') {
  const recipient = contact();
  allContacts.push(recipient);
  const quote = await api(p, 'POST', '/v1/quotes', { body: { officeId, address: ADDRESS, location: NEAR } });
  const body = bookingBody(quote.body.id, { recipient, ...(locale ? { locale } : {}) });
  const created = await api(p, 'POST', '/v1/bookings', { body, headers: { 'idempotency-key': randomUUID() } });
  expect(created.status).toBe(201);
  return {
    recipient,
    id: created.body.booking.id as string,
    trackingToken: created.body.trackingToken as string,
    payment: created.body.payment,
  };
}

async function move(p: TestPlatform, id: string, ...path: Array<Parameters<typeof moveBooking>[2]>) {
  for (const to of path) {
    const booking = await createBookingsRepository(p.db).findById(id);
    if (!booking) throw new Error('no booking');
    await moveBooking(p, booking, to, { type: 'system' });
  }
}

const subjects = (mails: ParsedMail[]) => mails.map((m) => m.subject ?? '');
const waitForMails = (address: string, n: number) =>
  eventually(
    async () => smtp.to(address),
    (m) => m.length >= n,
    20_000,
  );
/** The relay runs every 100 ms and a retry comes after 2 s: after this long a duplicate would have arrived. */
const settle = () => new Promise((r) => setTimeout(r, 1_500));

describe('e-mail to the citizen', () => {
  test('a German booking gets each mail once, from confirmation to delivery, as text and HTML', async ({ p }) => {
    const b = await book(p);
    await p.stripe.paymentIntents.confirm(b.payment.paymentIntentId, { payment_method: 'pm_card_visa' });
    await p.sandbox.flushWebhooks();
    await waitForMails(b.recipient.email, 2);
    await move(p, b.id, 'document_ready', 'planned', 'handed_over', 'out_for_delivery', 'delivered');
    const mails = await waitForMails(b.recipient.email, 5);
    await settle();
    const got = smtp.to(b.recipient.email);
    expect(got).toHaveLength(5);
    // The last three moves come within milliseconds and are sent side by side, in any order.
    expect(
      subjects(got)
        .map((s) => s.replace(/ \(.*\)$/, ''))
        .sort(),
    ).toEqual(
      [
        'Ihre Zustellung ist gebucht',
        'Zahlung eingegangen',
        'Ihr Zustelltermin',
        'Ihr Dokument ist unterwegs',
        'Ihr Dokument wurde zugestellt',
      ].sort(),
    );
    const confirmed = mails.find((m) => m.subject?.startsWith('Ihre Zustellung ist gebucht'));
    const paid = mails.find((m) => m.subject?.startsWith('Zahlung eingegangen'));
    expect(confirmed?.text).toContain(`https://amtsbote.stadt.example/sendung#code=${encodeURIComponent(b.trackingToken)}`);
    expect(confirmed?.html).toContain('<a href="https://amtsbote.stadt.example/sendung#code=');
    expect(confirmed?.html).toContain('lang="de"');
    expect(confirmed?.messageId).toMatch(/^<[0-9a-f-]{36}@stadt\.example>$/);
    // Later mails link to the tracking page without the token: one mail that hands over control is enough.
    expect(paid?.text).toContain('https://amtsbote.stadt.example/sendung');
    expect(paid?.text).not.toContain(b.trackingToken);
    for (const m of got) {
      expect(m.text?.length).toBeGreaterThan(20);
      expect(m.html).toBeTruthy();
      expect(m.text).not.toContain(b.recipient.name);
    }
    // Each Message-ID is its own notification's.
    expect(new Set(got.map((m) => m.messageId)).size).toBe(5);
    const rows = await createNotificationsRepository(p.db).ofBooking(b.id);
    expect(rows.filter((r) => r.channel === 'email').every((r) => r.status === 'sent')).toBe(true);
  });

  test('an English booking gets English mails; a failed attempt and going out for delivery also go by SMS', async ({ p }) => {
    const b = await book(p, 'en');
    await move(p, b.id, 'paid', 'document_ready', 'planned', 'handed_over', 'out_for_delivery', 'attempt_failed', 'returned_to_office');
    await waitForMails(b.recipient.email, 6);
    await settle();
    const got = smtp.to(b.recipient.email);
    // Moved within milliseconds, so sent side by side: the order of arrival is not the order of events.
    expect(
      subjects(got)
        .map((s) => s.replace(/ \(.*\)$/, ''))
        .sort(),
    ).toEqual(
      [
        'Your delivery is booked',
        'Payment received',
        'Your delivery time',
        'Your document is on its way',
        'Delivery not possible',
        'Your document is at the citizen office',
      ].sort(),
    );
    expect(got[0]?.html).toContain('lang="en"');
    expect(got[0]?.headers.get('content-language')).toBe('en');

    const texts = await eventually(
      async () => sms.received.filter((r) => r.body.to === b.recipient.phone),
      (r) => r.length >= 2,
    );
    expect(texts.map((t) => t.body.text).sort()).toEqual([expect.stringContaining('not possible'), expect.stringContaining('on its way')]);
    expect(texts[0]?.headers.authorization).toBe('Bearer sms-token-for-tests');
    expect(texts[0]?.headers['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('a mail the SMTP server refuses at first is sent again by the job, and arrives once', async ({ p }) => {
    smtp.refuse(1);
    const b = await book(p);
    const [mail] = await waitForMails(b.recipient.email, 1);
    await new Promise((r) => setTimeout(r, 3_000));
    expect(smtp.to(b.recipient.email)).toHaveLength(1);
    expect(mail?.subject).toMatch(/^Ihre Zustellung ist gebucht/);
    const [row] = await createNotificationsRepository(p.db).ofBooking(b.id);
    expect(row).toMatchObject({ status: 'sent', attempts: 2 });
  });

  test('a refund made is told with its amount', async ({ p }) => {
    const b = await book(p);
    await p.stripe.paymentIntents.confirm(b.payment.paymentIntentId, { payment_method: 'pm_card_visa' });
    await p.sandbox.flushWebhooks();
    const res = await api(p, 'POST', `/v1/bookings/${b.id}/cancel`, { headers: { 'tracking-token': b.trackingToken } });
    expect(res.status).toBe(200);
    const mails = await eventually(
      async () => smtp.to(b.recipient.email),
      (m) => m.some((x) => x.subject?.startsWith('Erstattung veranlasst')),
      20_000,
    );
    const refund = mails.find((x) => x.subject?.startsWith('Erstattung'));
    expect(refund?.text).toMatch(/4,50\s€/);
  });

  test('a running relay and sender twice over send nothing twice', async ({ p }) => {
    const b = await book(p);
    await waitForMails(b.recipient.email, 1);
    // A second relay and sender, as a second worker process would run them.
    const second = createNotifications({ db: p.db, queues: p.queues, config: p.config.notifications, clock: p.clock });
    await second.relay.relayPending();
    for (const row of await createNotificationsRepository(p.db).ofBooking(b.id))
      expect(await second.sender.send(row.id)).toBe('done_before');
    second.mailer.close();
    await settle();
    expect(smtp.to(b.recipient.email)).toHaveLength(1);
  });

  test('after anonymisation nothing is sent, and notification rows never held contact data', async ({ p }) => {
    const b = await book(p);
    await waitForMails(b.recipient.email, 1);
    await createRetentionQueries(p.db).anonymiseBookings([b.id], new Date());
    const [row] = await p.db
      .insert(notifications)
      .values({ bookingId: b.id, kind: 'delivered', channel: 'email', eventKey: 'test-anonymised', handedOverAt: new Date() })
      .returning();
    const second = createNotifications({ db: p.db, queues: p.queues, config: p.config.notifications, clock: p.clock });
    expect(await second.sender.send(row?.id ?? '')).toBe('skipped');
    second.mailer.close();
    const rows = await createNotificationsRepository(p.db).ofBooking(b.id);
    const stored = JSON.stringify(rows);
    expect(stored).not.toContain(b.recipient.email);
    expect(stored).not.toContain(b.recipient.phone);
    expect(stored).not.toContain(b.recipient.name);
    expect(rows.find((r) => r.eventKey === 'test-anonymised')).toMatchObject({ status: 'skipped', detail: 'anonymised' });
  });

  test('the local mail page does not exist when an SMTP server is configured', async ({ p }) => {
    expect((await api(p, 'GET', '/dev/mails')).status).toBe(404);
  });

  test('no name, e-mail address or phone number of a citizen reaches the log', async () => {
    expect(allContacts.length).toBeGreaterThan(3);
    const log = logs.lines.join('\n');
    expect(log).toContain('notification');
    for (const c of allContacts) {
      expect(log).not.toContain(c.email);
      expect(log).not.toContain(c.phone);
      expect(log).not.toContain(c.name);
    }
  });
});
