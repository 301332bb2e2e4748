import type { App } from '../shared/app-types.ts';
import { AppError } from '../shared/errors.ts';
import { hasMetricsToken } from './bearer.ts';
import type { ApiMetrics } from './metrics.ts';

/**
 * `GET /metrics` for Prometheus, behind a bearer token (METRICS_TOKEN): the figures say how busy the
 * platform is and are not for the public. Without a token configured the endpoint does not exist.
 * Every request is observed here (a root-level hook), by operation id or route pattern only, so the
 * labels stay few and never carry an id, a token or a name from a URL.
 */
export function registerMetrics(app: App, metrics: ApiMetrics, token: string | null) {
  app.addHook('onResponse', async (request, reply) => {
    const schema = request.routeOptions.schema as { operationId?: string } | undefined;
    const operation = schema?.operationId ?? request.routeOptions.url ?? 'unmatched';
    metrics.observeRequest(operation, request.method, reply.statusCode, reply.elapsedTime / 1000);
  });
  if (!token) return;
  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    if (!hasMetricsToken(request.headers.authorization, token)) {
      throw new AppError({ code: 'metrics.unauthorized', status: 401, message: 'The metrics need the bearer token METRICS_TOKEN' });
    }
    return reply
      .type(metrics.contentType)
      .header('cache-control', 'no-store')
      .send(await metrics.text());
  });
}
