import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import type { ReceiverAnswer } from './decisions.ts';

const MAX_BODY_BYTES = 256 * 1024;

export interface ReceiverDeps {
  host: string;
  port: number;
  /** The company's current signing secret (asked per message: a restart may bring a new one). */
  secret: () => string | null;
  /** How to answer a verified message (chaos for tests and the soak; normally accept at once). */
  answer: (webhookId: string) => ReceiverAnswer;
  /** A verified, accepted message: processed once per webhook-id by the caller. */
  onMessage: (webhookId: string, body: unknown) => void;
  onRejected?: (reason: string) => void;
}

/**
 * The company's webhook endpoint: node's http server, nothing more. Every message is verified with
 * the `standardwebhooks` package (signature and its 5-minute timestamp tolerance) before its body
 * is parsed; a message the chaos settings refuse (500, 429) is not processed, so the platform's
 * retry brings it again.
 */
export async function startSimReceiver(deps: ReceiverDeps) {
  const server = http.createServer((req, res) => {
    if (req.method !== 'POST') {
      res.writeHead(405).end();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        res.writeHead(413).end();
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers: Record<string, string> = {};
      for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
        const v = req.headers[name];
        if (typeof v === 'string') headers[name] = v;
      }
      const secret = deps.secret();
      let payload: unknown;
      try {
        if (!secret) throw new Error('no signing secret yet');
        payload = new Webhook(secret).verify(body, headers);
      } catch {
        deps.onRejected?.('signature');
        res.writeHead(401, { 'content-type': 'text/plain' }).end('signature not verified');
        return;
      }
      const answer = deps.answer(headers['webhook-id'] ?? '');
      if (answer.kind === 'server_error') {
        res.writeHead(500, { 'content-type': 'text/plain' }).end('simulated failure');
        return;
      }
      if (answer.kind === 'throttled') {
        res.writeHead(429, { 'content-type': 'text/plain', 'retry-after': String(answer.retryAfterSeconds) }).end('simulated throttling');
        return;
      }
      const accept = () => {
        deps.onMessage(headers['webhook-id'] ?? '', payload);
        if (!res.destroyed) res.writeHead(204).end();
      };
      if (answer.delayMs > 0) setTimeout(accept, answer.delayMs);
      else accept();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(deps.port, deps.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  return {
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
