import { createHmac } from 'node:crypto';

/**
 * `Stripe-Signature` header exactly as Stripe builds it and as stripe-node's
 * `webhooks.constructEvent` verifies it: `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "t.body")>`.
 */
export function signWebhookPayload(payload: string, secret: string, timestampSeconds: number): string {
  const signature = createHmac('sha256', secret).update(`${timestampSeconds}.${payload}`, 'utf8').digest('hex');
  return `t=${timestampSeconds},v1=${signature}`;
}
