import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface Reception {
  id: string;
  at: number;
  verified: boolean;
  body: string;
}

/** What the receiver does with the n-th (1-based) reception of a webhook-id. */
export type Behaviour = (
  id: string,
  n: number,
) => { status: number; headers?: Record<string, string>; delayMs?: number; reset?: boolean; body?: string };

/**
 * A courier's webhook receiver as the spec asks companies to write one: it verifies every message
 * with the independent `standardwebhooks` package, and processes each webhook-id once (a repeat
 * is answered 2xx again without a second effect). `processed` holds the ids whose effect happened,
 * `receptions` every request.
 */
export async function startReceiver(secret: () => string, behaviour: Behaviour = () => ({ status: 204 }), port = 0) {
  const receptions: Reception[] = [];
  /** Ids whose effect happened (once each: a repeat is recognised by its webhook-id). */
  const processed = new Set<string>();
  /** How often each id was answered with a 2xx (more than once: the sender did not see our answer in time). */
  const accepted = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
      const id = headers['webhook-id'] ?? '';
      let verified = false;
      try {
        new Webhook(secret()).verify(body, headers);
        verified = true;
      } catch {
        verified = false;
      }
      receptions.push({ id, at: Date.now(), verified, body });
      const n = receptions.filter((r) => r.id === id).length;
      const answer = verified ? behaviour(id, n) : { status: 401 };
      const respond = () => {
        if (answer.reset) {
          req.socket.destroy();
          return;
        }
        // The effect happens when the receiver accepts the message, once per webhook-id.
        if (answer.status >= 200 && answer.status < 300) {
          processed.add(id);
          accepted.set(id, (accepted.get(id) ?? 0) + 1);
        }
        res.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers });
        res.end(answer.body ?? `status ${answer.status}`);
      };
      if (answer.delayMs) setTimeout(respond, answer.delayMs);
      else respond();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}/hooks`,
    port: address.port,
    receptions,
    processed,
    accepted,
    /** Receptions of one webhook-id. */
    of: (id: string) => receptions.filter((r) => r.id === id),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type Receiver = Awaited<ReturnType<typeof startReceiver>>;

/** A port nothing listens on (for a receiver that is down). */
export async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
