import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { App } from '../shared/app-types.ts';
import { createDevMailFolder } from './dev-mails.ts';
import { escapeHtml } from './message-templates.ts';
import { createDevMailNotFoundError, createDevMailsLocalOnlyError } from './notifications.errors.ts';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/**
 * Only a request from this machine, straight to the listener: the socket's peer is loopback
 * (not `request.ip`, which TRUST_PROXY may take from a header) and no proxy header is present,
 * since a reverse proxy on the same host would also connect from loopback. The mails hold
 * personal data; the page exists only while no SMTP server is configured (npm start, a newcomer).
 */
function assertLocal(request: FastifyRequest) {
  const h = request.headers;
  if (!LOOPBACK.has(request.socket.remoteAddress ?? '') || h['x-forwarded-for'] || h.forwarded || h['x-real-ip']) {
    throw createDevMailsLocalOnlyError();
  }
}

const page = (title: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>` +
  `<body style="font-family:sans-serif;max-width:60em;margin:1em auto"><main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`;

/** `GET /dev/mails` and `/dev/mails/:id`: the mails the folder mailer wrote to DATA_DIR/mails. Hidden from the OpenAPI document. */
export async function devMailsRoutes(app: App, opts: { dir: string }) {
  const folder = createDevMailFolder(opts.dir);
  app.addHook('onSend', async (_request, reply) => {
    // The shown mail's HTML sits in a sandboxed iframe; nothing on these pages runs scripts.
    reply.header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; frame-src 'self'; img-src data:");
    reply.header('cache-control', 'no-store');
  });

  app.get('/dev/mails', { schema: { hide: true } }, async (request, reply) => {
    assertLocal(request);
    const mails = await folder.list();
    const rows = mails
      .map(
        (m) =>
          `<tr><td>${escapeHtml(m.date)}</td><td>${escapeHtml(m.to)}</td><td><a href="/dev/mails/${m.id}">${escapeHtml(m.subject)}</a></td></tr>`,
      )
      .join('');
    const body =
      `<p>No SMTP server is configured (SMTP_URL or SMTP_HOST), so mails are written to <code>${escapeHtml(opts.dir)}</code> as .eml files.</p>` +
      (mails.length === 0
        ? '<p>No mails yet.</p>'
        : `<table><thead><tr><th>written</th><th>to</th><th>subject</th></tr></thead><tbody>${rows}</tbody></table>`);
    return reply.type('text/html; charset=utf-8').send(page('Local mail folder', body));
  });

  app.get(
    '/dev/mails/:id',
    { schema: { hide: true, params: Type.Object({ id: Type.String({ maxLength: 36 }) }) } },
    async (request, reply) => {
      assertLocal(request);
      const mail = await folder.read(request.params.id);
      if (!mail) throw createDevMailNotFoundError();
      const body =
        `<p><a href="/dev/mails">all mails</a></p><dl><dt>to</dt><dd>${escapeHtml(mail.to)}</dd><dt>subject</dt><dd>${escapeHtml(mail.subject)}</dd>` +
        `<dt>written</dt><dd>${escapeHtml(mail.date)}</dd></dl><h2>Plain text</h2><pre style="white-space:pre-wrap">${escapeHtml(mail.text)}</pre>` +
        `<h2>HTML</h2><iframe sandbox title="HTML part" style="width:100%;height:30em;border:1px solid #888" srcdoc="${escapeHtml(mail.html)}"></iframe>`;
      return reply.type('text/html; charset=utf-8').send(page(mail.subject, body));
    },
  );
}
