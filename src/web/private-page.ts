import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../shared/errors.ts';
import { pageContext } from './web.plugin.ts';

/** The 404 of a signed-in page (a bad or unknown id): the web error page says it in the page's language. */
export const pageNotFound = () => new AppError({ code: 'web.not_found', status: 404, message: 'Not found' });

/** Renders a template of views/ to HTML. */
export type RenderPage = (template: string, data: Record<string, unknown>) => Promise<string>;

/**
 * How a page is rendered: by the reply's Eta (`reply.viewAsync`), unless `render` is given, for a
 * context where another engine decorates the reply (the queue dashboard's bull-board uses EJS).
 */
export interface PageOptions {
  sandbox: boolean;
  render?: RenderPage;
}

/**
 * A page behind a sign-in (the staff consoles, the rider app): the page context, a fresh CSRF
 * token and who is signed in, and never cached, by the browser or a service worker, since these
 * pages carry personal data. `data.timeZone` shows times in an office's zone.
 */
export async function sendPrivatePage(
  request: FastifyRequest,
  reply: FastifyReply,
  opts: PageOptions,
  template: string,
  data: Record<string, unknown>,
  status: number,
) {
  const render: RenderPage = opts.render ?? ((name, values) => reply.viewAsync(name, values));
  const page = await render(template, {
    ...pageContext(request, { sandbox: opts.sandbox, timeZone: typeof data.timeZone === 'string' ? data.timeZone : undefined }),
    csrf: reply.generateCsrf(),
    ...data,
  });
  return reply.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(page);
}
