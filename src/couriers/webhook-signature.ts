import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com): `v1,<base64 HMAC-SHA256>` over
 * `<webhook-id>.<webhook-timestamp>.<body>`, keyed with the base64 part of a `whsec_…` secret.
 * Several secrets (a rotation's overlap) give several space-separated signatures; a receiver
 * accepts the message when any of them verifies. Pure; verified in tests by the independent
 * `standardwebhooks` package, never by this code.
 */
export function generateSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

export function signWebhook(secrets: readonly string[], message: { id: string; timestamp: number; body: string }): string {
  const content = `${message.id}.${message.timestamp}.${message.body}`;
  return secrets
    .map((secret) => {
      const key = Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64');
      return `v1,${createHmac('sha256', key).update(content).digest('base64')}`;
    })
    .join(' ');
}

/** The three headers of a signed message. */
export function webhookHeaders(secrets: readonly string[], message: { id: string; timestamp: number; body: string }) {
  return {
    'webhook-id': message.id,
    'webhook-timestamp': String(message.timestamp),
    'webhook-signature': signWebhook(secrets, message),
  };
}

/**
 * Checks an inbound message against a company's current secrets: any `v1,` signature in the
 * header that matches one of them (compared in constant time) verifies it. The timestamp's
 * tolerance is checked by the caller, against the platform's clock.
 */
export function verifyWebhookSignature(
  secrets: readonly string[],
  message: { id: string; timestamp: number; body: string },
  signatureHeader: string,
): boolean {
  const given = signatureHeader
    .split(' ')
    .filter((s) => s.startsWith('v1,'))
    .map((s) => Buffer.from(s));
  return secrets.some((secret) => {
    const expected = Buffer.from(signWebhook([secret], message));
    return given.some((g) => g.length === expected.length && timingSafeEqual(g, expected));
  });
}
