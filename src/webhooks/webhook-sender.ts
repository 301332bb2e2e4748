import http from 'node:http';
import https from 'node:https';
import type { WebhookGuard } from './ssrf-guard.ts';

/** The start of an answer that is kept with the attempt: text only, at most this many bytes. */
export const RESPONSE_EXCERPT_BYTES = 1024;
/** More of an answer than this is not read (the connection is dropped instead). */
const MAX_RESPONSE_BYTES = 64 * 1024;

export type NoAnswerReason =
  'timeout' | 'connection_refused' | 'connection_reset' | 'address_refused' | 'dns_failed' | 'tls_failed' | 'network_error';

export type SendResult =
  | { kind: 'answered'; status: number; retryAfter: string | null; excerpt: string | null; latencyMs: number }
  | { kind: 'no_answer'; reason: NoAnswerReason; latencyMs: number };

export interface WebhookRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export type SendWebhook = (request: WebhookRequest) => Promise<SendResult>;

/**
 * POSTs one signed message with node's http/https and the SSRF guard's agent. Redirects are not
 * followed (node does not, and a 3xx counts as a failed attempt); the whole exchange has
 * `timeoutMs`. What is kept of the answer is its status, Retry-After and the first
 * RESPONSE_EXCERPT_BYTES of a text body: nothing of ours (the body we sent) is ever in it.
 */
export function createWebhookSender(deps: { guard: WebhookGuard; timeoutMs: number; now?: () => number }): SendWebhook {
  const now = deps.now ?? (() => performance.now());
  return (request) =>
    new Promise<SendResult>((resolve) => {
      const started = now();
      const url = new URL(request.url);
      const client = url.protocol === 'https:' ? https : http;
      let settled = false;
      const finish = (result: SendResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(result);
      };
      const latency = () => Math.max(0, Math.round(now() - started));
      const req = client.request(url, {
        method: 'POST',
        agent: deps.guard.agentFor(url),
        headers: {
          ...request.headers,
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(request.body)),
          'user-agent': 'Amtsbote-Webhooks/1',
        },
      });
      const timer = setTimeout(() => {
        finish({ kind: 'no_answer', reason: 'timeout', latencyMs: latency() });
        req.destroy();
      }, deps.timeoutMs);
      req.on('error', (err: NodeJS.ErrnoException) => finish({ kind: 'no_answer', reason: reasonOf(err), latencyMs: latency() }));
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let kept = 0;
        let seen = 0;
        const answered = () => {
          const type = String(res.headers['content-type'] ?? '');
          const excerpt = isText(type) && kept > 0 ? cleanExcerpt(Buffer.concat(chunks).subarray(0, RESPONSE_EXCERPT_BYTES)) : null;
          const retryAfter = res.headers['retry-after'];
          finish({
            kind: 'answered',
            status: res.statusCode ?? 0,
            retryAfter: typeof retryAfter === 'string' ? retryAfter.slice(0, 100) : null,
            excerpt,
            latencyMs: latency(),
          });
        };
        res.on('data', (chunk: Buffer) => {
          seen += chunk.length;
          if (kept < RESPONSE_EXCERPT_BYTES) {
            chunks.push(chunk);
            kept += chunk.length;
          }
          if (seen > MAX_RESPONSE_BYTES) {
            answered();
            res.destroy();
          }
        });
        res.on('end', answered);
        // The status is in; a body cut off afterwards does not change the attempt's outcome.
        res.on('error', answered);
        res.on('aborted', answered);
      });
      req.end(request.body);
    });
}

function reasonOf(err: NodeJS.ErrnoException): NoAnswerReason {
  // request-filtering-agent refuses with a plain Error naming the address; the message is not kept.
  if (/is not allowed/.test(err.message)) return 'address_refused';
  switch (err.code) {
    case 'ECONNREFUSED':
      return 'connection_refused';
    case 'ECONNRESET':
    case 'EPIPE':
      return 'connection_reset';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'dns_failed';
    case 'ETIMEDOUT':
      return 'timeout';
    default:
      return err.code?.startsWith('ERR_TLS') || err.code?.includes('CERT') || err.code?.startsWith('ERR_SSL')
        ? 'tls_failed'
        : 'network_error';
  }
}

const isText = (contentType: string) =>
  /^(text\/|application\/([a-z0-9.+-]*\+)?(json|xml)\b|application\/x-www-form-urlencoded)/i.test(contentType.trim());

/** UTF-8 text without control characters (a cut multi-byte character becomes U+FFFD). */
function cleanExcerpt(bytes: Buffer): string {
  // eslint-disable-next-line no-control-regex -- removing control characters is the point
  return bytes.toString('utf8').replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '');
}
