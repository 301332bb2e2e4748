import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import fastifyCompress from '@fastify/compress';
import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyFormbody from '@fastify/formbody';
import fastifyHelmet from '@fastify/helmet';
import fastifyStatic from '@fastify/static';
import fastifyView from '@fastify/view';
import { Eta } from 'eta';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../shared/errors.ts';
import type { App } from '../shared/app-types.ts';
import { citizenRoutes, type CitizenPageDeps } from './citizen.routes.ts';
import { formatters, isLocale, pickLocale, translator, type Locale } from './i18n.ts';
import { courierAppRoutes, type CourierAppDeps } from './courier/courier.routes.ts';
import { staffRoutes, type StaffConsoleDeps } from './staff/staff.routes.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const KERN_DIST = path.join(ROOT, 'node_modules/@kern-ux/native/dist');
const LEAFLET_DIST = path.join(ROOT, 'node_modules/leaflet/dist');
const LANG_COOKIE = 'amtsbote_lang';

declare module 'fastify' {
  interface FastifyRequest {
    locale: Locale;
  }
}

export interface WebOptions extends CitizenPageDeps {
  /** Origins of the payment provider's hosted pages: a form post may end there (CSP form-action). */
  hostedPageOrigins: readonly string[];
  /** Cookies only over HTTPS (behind a TLS proxy or PUBLIC_BASE_URL https://…). */
  secureCookies: boolean;
  /** The staff consoles under /amt (sign-in, the finance office). */
  staff: StaffConsoleDeps;
  /** The rider app under /kurier (riders of companies without their own system). */
  courier: CourierAppDeps;
}

/**
 * The citizen's web pages, server-rendered from the same Fastify app: Eta templates in `views/`,
 * the KERN design system's CSS and fonts (self-hosted from the npm package), our small CSS and
 * scripts in `public/`. Registered as an encapsulated context, so its security headers, cookies,
 * form parsing, CSRF protection and HTML error pages apply to the pages and not to the JSON API.
 */
export async function webPlugin(app: App, opts: WebOptions) {
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        // No inline scripts or styles anywhere: progressive scripts are files under /static.
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        // A configured map tile server's origin (`{s}` subdomains as a wildcard) may serve images too.
        imgSrc: ["'self'", 'data:', ...tileOrigin(opts.map.tileUrl)],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        formAction: ["'self'", ...opts.hostedPageOrigins],
        frameAncestors: ["'none'"],
        baseUri: ["'self'"],
        objectSrc: ["'none'"],
      },
    },
    // The payment page is linked, never framed; no token ever reaches a Referer header.
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginEmbedderPolicy: false,
    hsts: opts.secureCookies ? { maxAge: 31_536_000 } : false,
  });
  // Pages, CSS and scripts go out compressed (KERN's stylesheet shrinks from 336 kB to about a seventh).
  // Brotli at quality 5: most of the gain of 11 for a small part of its CPU, on every request.
  await app.register(fastifyCompress, {
    global: true,
    threshold: 1024,
    encodings: ['br', 'gzip'],
    brotliOptions: { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 5 } },
  });
  await app.register(fastifyCookie);
  await app.register(fastifyFormbody, { bodyLimit: 16_384 });
  await app.register(fastifyCsrf, {
    // Double-submit: a secret in an HttpOnly cookie, the token in each form.
    cookieKey: 'amtsbote_csrf',
    cookieOpts: { path: '/', httpOnly: true, sameSite: 'strict', secure: opts.secureCookies, signed: false },
  });
  await app.register(fastifyView, {
    engine: { eta: new Eta({ autoEscape: true }) },
    templates: path.join(ROOT, 'views'),
    // Templates are read once and kept; the few files are small.
    production: true,
  });
  await app.register(fastifyStatic, {
    root: path.join(ROOT, 'public'),
    prefix: '/static/',
    maxAge: '1h',
    index: false,
  });
  await app.register(fastifyStatic, {
    root: KERN_DIST,
    prefix: '/static/kern/',
    decorateReply: false,
    maxAge: '7d',
    index: false,
    allowedPath: (pathName) => /^\/(kern\.min\.css|fonts\/fira-sans\.css|fonts\/[a-z-]+\/[A-Za-z-]+\.woff2)$/.test(pathName),
  });
  // Leaflet (BSD-2-Clause) for the booking page's map: its script, stylesheet and marker images, unchanged.
  await app.register(fastifyStatic, {
    root: LEAFLET_DIST,
    prefix: '/static/leaflet/',
    decorateReply: false,
    maxAge: '7d',
    index: false,
    allowedPath: (pathName) =>
      /^\/(leaflet\.js|leaflet\.css|images\/(marker-icon|marker-icon-2x|marker-shadow|layers|layers-2x)\.png)$/.test(pathName),
  });

  app.decorateRequest('locale', 'de');
  app.addHook('onRequest', async (request, reply) => {
    const asked = (request.query as Record<string, unknown> | undefined)?.lang;
    if (isLocale(asked)) {
      reply.setCookie(LANG_COOKIE, asked, { path: '/', sameSite: 'lax', httpOnly: true, secure: opts.secureCookies, maxAge: 31_536_000 });
      request.locale = asked;
    } else {
      request.locale = pickLocale(request.cookies[LANG_COOKIE], request.headers['accept-language']);
    }
  });

  app.setErrorHandler(async (err, request, reply) => {
    const code = (err as { code?: string }).code;
    if (code === 'FST_CSRF_INVALID_TOKEN' || code === 'FST_CSRF_MISSING_SECRET') return renderError(request, reply, 403, 'error.csrf');
    if (err instanceof AppError && err.status < 500) return renderError(request, reply, err.status, 'error.generic', err.message);
    const status = (err as { statusCode?: number }).statusCode;
    if (status && status >= 400 && status < 500) return renderError(request, reply, status, 'error.generic');
    request.log.error({ err }, 'page failed');
    return renderError(request, reply, 500, 'error.generic');
  });

  await app.register(citizenRoutes, opts);
  await app.register(staffRoutes, {
    ...opts.staff,
    sandbox: opts.sandbox,
    secureCookies: opts.secureCookies,
    map: opts.map,
    geocoder: opts.geocoder,
    publicBaseUrl: opts.publicBaseUrl,
  });
  await app.register(courierAppRoutes, { ...opts.courier, sandbox: opts.sandbox, secureCookies: opts.secureCookies });
}

/** The CSP source of an XYZ tile URL template (`https://{s}.tile.example/{z}/{x}/{y}.png` → `https://*.tile.example`). */
export function tileOrigin(tileUrl: string | null): string[] {
  const origin = tileUrl ? /^(https?:\/\/[^/?#]+)/.exec(tileUrl)?.[1] : undefined;
  return origin ? [origin.replace(/\{[a-z]+\}/g, '*')] : [];
}

/** What every template gets: the translator, formatters, the language switch and the sandbox banner. */
export function pageContext(request: FastifyRequest, extra: { sandbox: boolean; timeZone?: string }) {
  const other: Locale = request.locale === 'de' ? 'en' : 'de';
  const pathOnly = request.url.split('?')[0] ?? '/';
  return {
    t: translator(request.locale),
    lang: request.locale,
    switchHref: `${pathOnly}?lang=${other}`,
    switchLang: other,
    sandbox: extra.sandbox,
    fmt: formatters(request.locale, extra.timeZone ?? 'Europe/Berlin'),
  };
}

async function renderError(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  key: 'error.notFound' | 'error.csrf' | 'error.generic',
  detail?: string,
) {
  const html = await reply.viewAsync('error.eta', {
    ...pageContext(request, { sandbox: false }),
    title: 'error.title',
    messageKey: key,
    detail,
  });
  return reply.code(status).type('text/html; charset=utf-8').send(html);
}
