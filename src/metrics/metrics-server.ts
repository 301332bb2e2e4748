import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { hasMetricsToken } from './bearer.ts';

export interface MetricsServer {
  /** Where it listens, e.g. `http://127.0.0.1:9464`. */
  address: string;
  close(): Promise<void>;
}

/**
 * GET /metrics of a worker process that runs without the API (`npm run start:workers`): plain
 * node:http, since one read-only route needs no framework. Same rules as the API's endpoint:
 * the bearer METRICS_TOKEN or 401, nothing cached; any other path 404, any other method 405,
 * each as `{ error: { code, message } }` like the API's errors (without a request id: nothing is logged per scrape).
 */
export async function startMetricsServer(opts: {
  host: string;
  port: number;
  token: string;
  metrics: { text(): Promise<string>; contentType: string };
  logger: Logger;
}): Promise<MetricsServer> {
  const fail = (res: http.ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
    res.end(JSON.stringify({ error: { code, message } }));
  };

  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics') return fail(res, 404, 'not_found', 'Only GET /metrics is served here');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return fail(res, 405, 'method_not_allowed', 'GET /metrics only', { allow: 'GET, HEAD' });
    }
    if (!hasMetricsToken(req.headers.authorization, opts.token)) {
      return fail(res, 401, 'metrics.unauthorized', 'The metrics need the bearer token METRICS_TOKEN');
    }
    opts.metrics.text().then(
      (text) => {
        res.writeHead(200, { 'content-type': opts.metrics.contentType, 'cache-control': 'no-store' });
        res.end(req.method === 'HEAD' ? undefined : text);
      },
      (err: unknown) => {
        opts.logger.error({ err }, 'metrics could not be collected');
        fail(res, 500, 'internal', 'The metrics could not be collected');
      },
    );
  });
  // A scraper holds its connection open between scrapes; close() must not wait for it.
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // After the start an error (a socket the kernel takes away) is logged, not an uncaught exception.
  server.on('error', (err) => opts.logger.error({ err }, 'metrics server error'));
  const { address, port, family } = server.address() as AddressInfo;
  return {
    address: `http://${family === 'IPv6' ? `[${address}]` : address}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
