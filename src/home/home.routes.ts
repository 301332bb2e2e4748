import type { App } from '../shared/app-types.ts';

/**
 * `GET /`: where a newcomer (or a browser) lands. It says what this is and where to go: the API,
 * its documentation and the health probes. HTML for browsers, JSON for everything else.
 */
export async function homeRoutes(app: App, opts: { version: string; sandbox: boolean }) {
  const links = { api: '/v1', docs: '/docs', openapi: '/docs/json', health: '/health/ready' };
  app.get('/', { schema: { hide: true } }, async (request, reply) => {
    const wantsHtml = /\btext\/html\b/.test(request.headers.accept ?? '');
    if (!wantsHtml) {
      return {
        name: 'Amtsbote',
        description: 'Courier delivery of ID documents for citizen offices',
        version: opts.version,
        stripeSandbox: opts.sandbox,
        links,
      };
    }
    return reply
      .type('text/html; charset=utf-8')
      .send(
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Amtsbote</title></head><body>` +
          `<main><h1>Amtsbote</h1><p>Courier delivery of ID documents for citizen offices (API ${opts.version}).</p>` +
          (opts.sandbox ? '<p><strong>Offline Stripe sandbox in use: no real money moves.</strong></p>' : '') +
          `<ul><li><a href="${links.docs}">API documentation (Swagger UI)</a></li><li><a href="${links.openapi}">OpenAPI document</a></li>` +
          `<li><a href="${links.health}">Readiness</a></li></ul></main></body></html>`,
      );
  });
}
