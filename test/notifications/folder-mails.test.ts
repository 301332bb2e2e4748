import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { createMailer, messageIdFor } from '../../src/notifications/mailer.ts';
import { renderMail } from '../../src/notifications/message-templates.ts';
import { SmsSendError, createHttpSmsSender } from '../../src/notifications/sms-sender.ts';
import { platformTest } from '../helpers/platform-fixture.ts';
import { startSmsStandIn } from '../helpers/sms-stand-in.ts';
import { api } from '../helpers/test-platform.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'amtsbote-mails-'));
const test = platformTest({ env: { DATA_DIR: dataDir } });

describe('without SMTP settings', () => {
  test('mails are written to DATA_DIR/mails and listed on the local page, not through a proxy', async ({ p }) => {
    expect(p.config.notifications.mail.kind).toBe('folder');
    const mailer = createMailer(p.config.notifications.mail);
    const id = randomUUID();
    const mail = renderMail('booking_confirmed', 'de', {
      kassenzeichen: 'T-2026-1',
      officeName: 'Bürgerbüro <Mitte>',
      officeTimezone: 'Europe/Berlin',
      trackingUrl: 'https://x.example/sendung#code=abc',
    });
    await mailer.send({ id, to: 'erika@example.org', ...mail, messageId: messageIdFor(id, 'a <b@stadt.example>'), locale: 'de' });
    mailer.close();
    const eml = join(dataDir, 'mails', `${id}.eml`);
    expect(readFileSync(eml, 'utf8')).toContain(`Message-ID: <${id}@stadt.example>`);
    expect(statSync(eml).mode & 0o777).toBe(0o600);
    // Data is escaped in HTML.
    expect(mail.html).toContain('Bürgerbüro &lt;Mitte&gt;');

    const res = await fetch(`${p.address}/dev/mails`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Ihre Zustellung ist gebucht');
    expect((await fetch(`${p.address}/dev/mails/${id}`)).status).toBe(200);
    expect((await api(p, 'GET', `/dev/mails/${randomUUID()}`)).status).toBe(404);
    const proxied = await api(p, 'GET', '/dev/mails', { headers: { 'x-forwarded-for': '203.0.113.9' } });
    expect(proxied.status).toBe(403);
    expect(proxied.body.error.code).toBe('dev_mail.local_only');
  });
});

describe('the generic SMS sender', () => {
  test('posts with the bearer token; a refusal or a stall is an error that names no number', async () => {
    const standIn = await startSmsStandIn();
    const sender = createHttpSmsSender({ url: standIn.url, token: 'secret-token', timeoutMs: 300 });
    try {
      await sender.send({ to: '+49 711 555', text: 'hallo', reference: 'ref-1' });
      expect(standIn.received[0]?.body).toEqual({ to: '+49 711 555', text: 'hallo', reference: 'ref-1' });
      expect(standIn.received[0]?.headers.authorization).toBe('Bearer secret-token');
      standIn.set({ status: 500 });
      await expect(sender.send({ to: '+49 711 555', text: 'x', reference: 'ref-2' })).rejects.toThrow(new SmsSendError('http_500'));
      standIn.set({ stallMs: 1_000 });
      const err = await sender.send({ to: '+49 711 555', text: 'x', reference: 'ref-3' }).catch((e: unknown) => e as Error);
      expect(err).toBeInstanceOf(SmsSendError);
      expect((err as SmsSendError).code).toBe('timeout');
      expect((err as Error).message).not.toContain('711');
    } finally {
      await standIn.close();
    }
  });
});
