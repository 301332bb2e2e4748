import type { SmsConfig } from './notifications.config.ts';

export interface SmsMessage {
  to: string;
  text: string;
  /** The notification id: the gateway may drop a repeated one. */
  reference: string;
}

/** Sends one SMS or throws; errors name the outcome (status, timeout), never the number. */
export interface SmsSender {
  send(message: SmsMessage): Promise<void>;
}

export class SmsSendError extends Error {
  constructor(readonly code: string) {
    super(`sms not sent: ${code}`);
    this.name = 'SmsSendError';
  }
}

/**
 * A generic SMS gateway over HTTP: `POST SMS_HTTP_URL` with `Authorization: Bearer SMS_HTTP_TOKEN`,
 * `Idempotency-Key: <notification id>` and `{ "to", "text", "reference" }` as JSON; any 2xx is
 * sent. Most gateways take this shape or a thin proxy in front of them does.
 */
export function createHttpSmsSender(config: SmsConfig): SmsSender {
  return {
    async send(message) {
      let res: Response;
      try {
        res = await fetch(config.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${config.token}`,
            'idempotency-key': message.reference,
          },
          body: JSON.stringify({ to: message.to, text: message.text, reference: message.reference }),
          signal: AbortSignal.timeout(config.timeoutMs),
          redirect: 'error',
        });
      } catch (err) {
        throw new SmsSendError((err as Error).name === 'TimeoutError' ? 'timeout' : 'unreachable');
      }
      // The body is read and dropped: a gateway may echo the number in it.
      await res.arrayBuffer().catch(() => undefined);
      if (!res.ok) throw new SmsSendError(`http_${res.status}`);
    },
  };
}
