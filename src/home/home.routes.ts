/**
 * What `GET /` says to a program (JSON): what this is and where to go. Browsers get the citizen's
 * start page there instead (src/web), which links to the same documentation.
 */
export const HOME_LINKS = { api: '/v1', docs: '/docs', openapi: '/docs/json', health: '/health/ready' } as const;

export function homeDocument(opts: { version: string; sandbox: boolean }) {
  return {
    name: 'Amtsbote',
    description: 'Courier delivery of ID documents for citizen offices',
    version: opts.version,
    stripeSandbox: opts.sandbox,
    links: HOME_LINKS,
  };
}
