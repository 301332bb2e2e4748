import { Webhook } from 'standardwebhooks';
import type { SimRoute } from './route-book.ts';

/**
 * The reference company's side of the platform's courier API: plain `fetch`, nothing of the
 * platform's own code, so it is what an integrator would write. Event posts are retried on network
 * errors and 5xx with the same event id (the platform applies each id once).
 */

export interface CompanyCredentials {
  companyId: string;
  apiKey: string;
  signingSecret: string;
}

export type EventTransport = 'api-key' | 'signed';

export interface CourierEvent {
  id: string;
  type: string;
  timestamp: string;
  data: Record<string, unknown>;
}

export class PlatformError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | null,
    message: string,
  ) {
    super(message);
    this.name = 'PlatformError';
  }
}

export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
  /** The longest wait between two attempts. */
  maxDelayMs: number;
}

/**
 * About 4.5 minutes of retries: an event's timestamp is when it happened, and the platform refuses
 * one older than its tolerance (COURIER_EVENT_TOLERANCE_SECONDS, default 300 s), so retrying longer
 * would only collect refusals.
 */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 32, baseDelayMs: 250, maxDelayMs: 10_000 };

/** Waits, or rejects at once when the signal aborts (the sim is closing). */
const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(new Error('aborted'));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new Error('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

export function createPlatformClient(opts: {
  baseUrl: string;
  fetch?: typeof fetch;
  retry?: RetryPolicy;
  onRetry?: (info: { eventId: string; attempt: number; reason: string }) => void;
}) {
  const baseUrl = opts.baseUrl.replace(/\/+$/, '');
  const doFetch = opts.fetch ?? fetch;
  const retry = opts.retry ?? DEFAULT_RETRY;

  async function call<T>(
    method: string,
    path: string,
    init: { body?: unknown; headers?: Record<string, string>; raw?: string } = {},
  ): Promise<T> {
    const body = init.raw ?? (init.body === undefined ? undefined : JSON.stringify(init.body));
    const res = await doFetch(`${baseUrl}${path}`, {
      method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...init.headers },
      body,
    });
    const text = await res.text();
    const json: unknown = text ? safeJson(text) : null;
    if (!res.ok) {
      const error = (json as { error?: { code?: string; message?: string } } | null)?.error;
      throw new PlatformError(
        res.status,
        error?.code ?? null,
        `${method} ${path}: ${res.status} ${error?.code ?? ''} ${error?.message ?? ''}`.trim(),
      );
    }
    return json as T;
  }

  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  return {
    baseUrl,

    signIn: (username: string, password: string) => call<{ token: string }>('POST', '/v1/auth/sessions', { body: { username, password } }),

    listOffices: () => call<{ data: { id: string; slug: string; name: string }[] }>('GET', '/v1/offices'),

    listZones: (staffToken: string, officeId: string) =>
      call<{ data: { id: string; vehicleTypes: string[]; active: boolean }[] }>('GET', `/v1/offices/${officeId}/zones`, {
        headers: bearer(staffToken),
      }),

    createCompany: (staffToken: string, body: Record<string, unknown>) =>
      call<{ company: { id: string }; apiKey: string; signingSecret: string }>('POST', '/v1/courier-companies', {
        body,
        headers: bearer(staffToken),
      }),

    deliverySlots: (officeId: string, from: string | undefined, days: number) =>
      call<{ days: { date: string; windows: { start: string; end: string }[]; closed: unknown }[] }>(
        'GET',
        `/v1/offices/${officeId}/delivery-slots?days=${days}${from ? `&from=${from}` : ''}`,
      ),

    /** False when the key opens nothing (401): the company is gone or suspended, or the key was rotated. */
    knowsCompany: (creds: CompanyCredentials) =>
      call<{ id: string }>('GET', '/v1/courier/company', { headers: bearer(creds.apiKey) }).then(
        (c) => c.id === creds.companyId,
        (err: unknown) => {
          if (err instanceof PlatformError && err.status === 401) return false;
          throw err;
        },
      ),

    announceShift: (creds: CompanyCredentials, body: Record<string, unknown>) =>
      call<{ id: string }>('POST', '/v1/courier/shifts', { body, headers: bearer(creds.apiKey) }),

    listOwnShifts: (creds: CompanyCredentials, officeId: string, date: string) =>
      call<{ data: { id: string; vehicleType: string }[] }>('GET', `/v1/courier/shifts?officeId=${officeId}&deliveryDate=${date}`, {
        headers: bearer(creds.apiKey),
      }),

    acceptRoute: (creds: CompanyCredentials, routeId: string) =>
      call<{ dispatchStatus: string; alreadyAccepted: boolean }>('POST', `/v1/courier/routes/${routeId}/accept`, {
        headers: bearer(creds.apiKey),
      }),

    declineRoute: (creds: CompanyCredentials, routeId: string, reason: string) =>
      call<{ declined: true }>('POST', `/v1/courier/routes/${routeId}/decline`, { body: { reason }, headers: bearer(creds.apiKey) }),

    getRoute: (creds: CompanyCredentials, routeId: string) =>
      call<{ dispatchStatus: string; route: SimRoute; jobs: { jobId: string; status: string }[] }>('GET', `/v1/courier/routes/${routeId}`, {
        headers: bearer(creds.apiKey),
      }),

    listRoutes: (creds: CompanyCredentials) =>
      call<{ data: { routeId: string; dispatchStatus: string; version: number }[] }>('GET', '/v1/courier/routes', {
        headers: bearer(creds.apiKey),
      }),

    /**
     * One event, with the API key or signed with the signing secret (Standard Webhooks). The body
     * bytes and event id stay the same on every attempt; a signed retry gets a fresh
     * webhook-timestamp. 4xx answers are not retried (the event is wrong or not yet applicable).
     */
    async postEvent(
      creds: CompanyCredentials,
      transport: EventTransport,
      event: CourierEvent,
      signal?: AbortSignal,
    ): Promise<{ outcome: string }> {
      const raw = JSON.stringify(event);
      for (let attempt = 1; ; attempt++) {
        try {
          if (transport === 'api-key') return await call('POST', '/v1/courier/events', { raw, headers: bearer(creds.apiKey) });
          const now = new Date();
          const signature = new Webhook(creds.signingSecret).sign(event.id, now, raw);
          return await call('POST', `/v1/webhooks/courier/${creds.companyId}`, {
            raw,
            headers: {
              'webhook-id': event.id,
              'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
              'webhook-signature': signature,
            },
          });
        } catch (err) {
          const retryable = !(err instanceof PlatformError) || err.status >= 500 || err.status === 429;
          if (!retryable || attempt >= retry.attempts) throw err;
          opts.onRetry?.({ eventId: event.id, attempt, reason: err instanceof PlatformError ? String(err.status) : errorCode(err) });
          await sleep(Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempt - 1)), signal);
        }
      }
    },
  };
}

export type PlatformClient = ReturnType<typeof createPlatformClient>;

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function errorCode(err: unknown): string {
  const cause = (err as { cause?: { code?: string } }).cause;
  return cause?.code ?? (err instanceof Error ? err.name : 'error');
}
