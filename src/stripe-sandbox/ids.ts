import { randomBytes } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Random base62 text; rejection sampling keeps every character equally likely. */
export function generateToken(length: number): string {
  let token = '';
  while (token.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248 && token.length < length) token += ALPHABET[byte % 62];
    }
  }
  return token;
}

/** Stripe-shaped id such as `pi_3QxYz…` (prefix + 24 base62 characters). */
export function generateId(prefix: string): string {
  return `${prefix}_${generateToken(24)}`;
}

export function generateClientSecret(paymentIntentId: string): string {
  return `${paymentIntentId}_secret_${generateToken(25)}`;
}

export function generateWebhookSecret(): string {
  return `whsec_${generateToken(32)}`;
}

export function generateRequestId(): string {
  return `req_${generateToken(14)}`;
}
