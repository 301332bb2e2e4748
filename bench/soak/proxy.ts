/**
 * The soak's load balancer in front of the API processes, as a city would run one: round robin
 * over the upstreams, a refused connection is tried on the next one (the process is down), a
 * connection lost mid-request is a 502 (the process died with the request). It counts every 5xx
 * with its time, so the soak can tell answers during a restart from the others.
 *
 * Stripe's webhooks pass through it too, and there it plays the network: some arrive late (so
 * after later ones: out of order), some twice.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Upstream {
  name: string;
  port: number;
}

export interface WebhookChaos {
  /** Share of Stripe webhooks held back for `lateMs` before they are passed on. */
  lateShare: number;
  lateMs: [number, number];
  /** Share passed on twice (the second copy a moment after the first). */
  twiceShare: number;
}

export interface ServerErrorSeen {
  at: number;
  status: number;
  method: string;
  /** The route pattern (ids cut out), never a token. */
  path: string;
  /** `upstream`: the API answered it; `proxy`: the connection to the API was lost (502). */
  source: 'upstream' | 'proxy';
}

export interface ProxyStats {
  requests: number;
  retriedOnRefused: number;
  webhooksLate: number;
  webhooksTwice: number;
  serverErrors: ServerErrorSeen[];
}

const STRIPE_WEBHOOK = '/v1/webhooks/stripe';

export async function startProxy(opts: {
  upstreams: () => Upstream[];
  chaos: WebhookChaos;
  random: () => number;
}): Promise<{ url: string; port: number; stats: ProxyStats; close(): Promise<void> }> {
  const stats: ProxyStats = { requests: 0, retriedOnRefused: 0, webhooksLate: 0, webhooksTwice: 0, serverErrors: [] };
  let next = 0;
  const record = (req: IncomingMessage, status: number, source: ServerErrorSeen['source']) => {
    if (status < 500) return;
    stats.serverErrors.push({ at: Date.now(), status, method: req.method ?? '', path: routePattern(req.url ?? ''), source });
  };

  /** Forwards one buffered request; tries each upstream once while the connection is refused. */
  async function forward(req: IncomingMessage, body: Buffer): Promise<Answer> {
    const ups = opts.upstreams();
    let lastError: Error | null = null;
    for (let i = 0; i < Math.max(ups.length, 1); i++) {
      const up = ups[(next++ + i) % ups.length];
      if (!up) break;
      try {
        return await send(up, req, body);
      } catch (err) {
        lastError = err as Error;
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'ECONNREFUSED') break;
        stats.retriedOnRefused++;
      }
    }
    return {
      fromProxy: true,
      status: 502,
      headers: { 'content-type': 'application/json' },
      body: Buffer.from(JSON.stringify({ error: { code: 'proxy.upstream_lost', message: lastError?.message ?? 'no upstream' } })),
    };
  }

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        stats.requests++;
        const body = Buffer.concat(chunks);
        const isWebhook = req.url === STRIPE_WEBHOOK && req.method === 'POST';
        if (isWebhook && opts.random() < opts.chaos.lateShare) {
          stats.webhooksLate++;
          const [lo, hi] = opts.chaos.lateMs;
          await new Promise((r) => setTimeout(r, lo + opts.random() * (hi - lo)));
        }
        const answer = await forward(req, body);
        record(req, answer.status, answer.fromProxy ? 'proxy' : 'upstream');
        res.writeHead(answer.status, answer.headers);
        res.end(answer.body);
        if (isWebhook && opts.random() < opts.chaos.twiceShare) {
          stats.webhooksTwice++;
          // The copy's answer goes nowhere, but a 5xx on it (the idempotency path) still counts.
          setTimeout(
            () =>
              void forward(req, body).then(
                (copy) => record(req, copy.status, copy.fromProxy ? 'proxy' : 'upstream'),
                () => record(req, 502, 'proxy'),
              ),
            200 + opts.random() * 1_500,
          );
        }
      })().catch(() => {
        record(req, 502, 'proxy');
        if (!res.headersSent) res.writeHead(502);
        res.end();
      });
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    stats,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  /** The proxy's own 502: no upstream answered. */
  fromProxy?: boolean;
}

function send(up: Upstream, req: IncomingMessage, body: Buffer) {
  return new Promise<Answer>((resolve, reject) => {
    const headers = { ...req.headers, host: `127.0.0.1:${up.port}` };
    delete headers.connection;
    const out = httpRequest({ host: '127.0.0.1', port: up.port, method: req.method, path: req.url, headers, timeout: 60_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const h: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers)) {
          if (v === undefined || k === 'connection' || k === 'transfer-encoding' || k === 'keep-alive') continue;
          h[k] = Array.isArray(v) ? v.join(', ') : v;
        }
        resolve({ status: res.statusCode ?? 502, headers: h, body: Buffer.concat(chunks) });
      });
      res.on('error', reject);
    });
    out.on('timeout', () => out.destroy(new Error('upstream timeout')));
    out.on('error', reject);
    out.end(body);
  });
}

const ID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\d{4}-\d{2}-\d{2}/gi;

/** `/v1/routes/3f…/handover?x` → `/v1/routes/:id/handover`: no ids, no query. */
export function routePattern(url: string): string {
  return (url.split('?')[0] ?? '').replace(ID, ':id').slice(0, 120);
}
