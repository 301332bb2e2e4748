/**
 * The citizen's pages: their weight and the booking page's time to first byte under load.
 * Starts the platform in this process (a database of its own on BENCH_DATABASE_URL's server,
 * dropped at the end; Redis on 127.0.0.1; the offline Stripe sandbox), walks one booking through
 * the pages as a browser would (cookies, CSRF tokens, the sandbox's Checkout page), and for each
 * page adds up what a first visit downloads compressed (Accept-Encoding: br, gzip): the HTML, the
 * stylesheets and the scripts it references (fonts apart). Then it loads the booking page with
 * autocannon and prints p50/p99 latency (the pages are small: latency is the time to first byte
 * plus a few milliseconds).
 *
 *   npm run bench:pages -- [--duration 10] [--connections 10]
 */
import http from 'node:http';
import { pino } from 'pino';
import { createScratchDatabase } from '../src/db/scratch-database.ts';
import { loadConfig } from '../src/config/config.ts';
import { seedDemoIfEmpty } from '../src/demo/seed-demo.ts';
import { createPlatform } from '../src/platform.ts';
import { createMemoryStore } from '../src/stripe-sandbox/index.ts';
import { runLoad } from './api-load.ts';
import { wholeNumberFlag } from './flags.ts';

const DURATION = wholeNumberFlag('duration', 10);
const CONNECTIONS = wholeNumberFlag('connections', 10);
const scratch = await createScratchDatabase('amtsbote_bench_pages', process.env.BENCH_DATABASE_URL);
const url = new URL(scratch.url);

const config = loadConfig({
  DATABASE_URL: url.toString(),
  PORT: '0',
  STRIPE_SANDBOX_PORT: '0',
  LOG_LEVEL: 'silent',
  QUEUE_PREFIX: `bench-pages-${process.pid}`,
  RATE_LIMIT_PER_MINUTE: '100000',
  NOTIFICATIONS: 'off',
});
const platform = await createPlatform(
  config,
  { api: 'listen', workers: false, hostSandbox: true, migrate: true },
  { logger: pino({ level: 'silent' }), sandbox: { store: createMemoryStore() } },
);

/** A tiny browser: keeps cookies, reads the CSRF token of the last page. */
const jar = new Map<string, string>();
const cookieHeader = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
/** One request over node:http, which (unlike fetch) does not decompress: the bytes counted are those on the wire. */
function visit(target: string, init: { method?: string; form?: Record<string, string | string[]> } = {}) {
  const body = init.form
    ? new URLSearchParams(Object.entries(init.form).flatMap(([k, v]) => [v].flat().map((x): [string, string] => [k, x]))).toString()
    : undefined;
  return new Promise<{ res: { status: number; headers: { get(name: string): string | null } }; wireBytes: number; html: string }>(
    (resolve, reject) => {
      const req = http.request(
        target,
        {
          method: init.method ?? (body ? 'POST' : 'GET'),
          headers: {
            accept: 'text/html',
            'accept-encoding': 'br, gzip',
            cookie: cookieHeader(),
            ...(body ? { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) } : {}),
          },
        },
        (res) => {
          for (const c of res.headers['set-cookie'] ?? []) {
            const [pair] = c.split(';');
            const [k, v] = (pair ?? '').split('=');
            if (k && v !== undefined) jar.set(k, v);
          }
          let bytes = 0;
          res.on('data', (chunk: Buffer) => (bytes += chunk.length));
          res.on('end', () =>
            resolve({
              res: { status: res.statusCode ?? 0, headers: { get: (name) => String(res.headers[name.toLowerCase()] ?? '') || null } },
              wireBytes: bytes,
              html: '',
            }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    },
  );
}
/** fetch decompresses, so the page is read twice: once for its size on the wire, once for its text. */
async function page(target: string, init: { form?: Record<string, string | string[]> } = {}) {
  const wire = await visit(target, init);
  if (wire.res.status >= 300 && wire.res.status < 400) return { ...wire, location: wire.res.headers.get('location') ?? '' };
  // Read the text from the same answer once more (GET only: a POST must not run twice).
  const again = init.form ? null : await fetch(target, { headers: { accept: 'text/html', cookie: cookieHeader() } });
  return { ...wire, html: again ? await again.text() : '', location: '' };
}
const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
const assetBytes = new Map<string, number>();
async function weight(name: string, html: string, htmlBytes: number, rows: string[][]) {
  let total = htmlBytes;
  for (const ref of [...html.matchAll(/(?:href|src)="(\/static\/[^"]+\.(?:css|js))"/g)].map((m) => m[1] ?? '')) {
    if (!assetBytes.has(ref)) assetBytes.set(ref, (await visit(`${platform.address}${ref}`)).wireBytes);
    total += assetBytes.get(ref) ?? 0;
  }
  rows.push([name, (htmlBytes / 1024).toFixed(1), (total / 1024).toFixed(1)]);
}

try {
  await seedDemoIfEmpty(platform.database.db, new Date());
  const base = platform.address ?? '';
  const rows: string[][] = [];
  const start = await page(`${base}/`);
  await weight('start', start.html, start.wireBytes, rows);
  const slug = /href="\/buchen\/([^"]+)"/.exec(start.html)?.[1] ?? '';
  const address = await page(`${base}/buchen/${slug}`);
  await weight('booking: address', address.html, address.wireBytes, rows);
  const zoneId = /name="zoneId" value="([^"]+)"/.exec(address.html)?.[1] ?? '';
  const addressForm = {
    _csrf: csrfOf(address.html),
    street: 'Marktplatz',
    houseNumber: '1',
    postalCode: '70173',
    city: 'Stuttgart',
    zoneId,
  };
  const details = await visit(`${base}/buchen/${slug}`, { form: addressForm });
  // The details page answers a POST: its text is read from a second, identical post.
  const detailsHtml = await (
    await fetch(`${base}/buchen/${slug}`, {
      method: 'POST',
      headers: { accept: 'text/html', cookie: cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(addressForm).toString(),
    })
  ).text();
  await weight('booking: price, days, person', detailsHtml, details.wireBytes, rows);
  const hidden = Object.fromEntries(
    [...detailsHtml.matchAll(/type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1] ?? '', m[2] ?? '']),
  );
  const window = /name="window" value="([^"]+)"/.exec(detailsHtml)?.[1] ?? '';
  const booked = await page(`${base}/buchen/${slug}/bestaetigen`, {
    form: {
      ...hidden,
      vehicleType: 'bike',
      window,
      name: 'Erika Mustermann',
      phone: '+49 711 1234567',
      documentType: 'id_card',
      applicationNumber: `B${Date.now()}`,
      consent: 'yes',
    },
  });
  if (!booked.location.includes('/sandbox/checkout/')) throw new Error(`booking did not lead to Checkout: ${booked.res.status}`);
  // Pay on the sandbox's Checkout page (its default test card).
  const checkoutHtml = await (await fetch(booked.location)).text();
  const payAction = /<form method="post" action="([^"]+)"/.exec(checkoutHtml)?.[1] ?? '';
  const card = /name="card" value="([^"]+)" checked/.exec(checkoutHtml)?.[1] ?? '';
  await fetch(new URL(payAction, booked.location), {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ card }).toString(),
  });
  await platform.sandbox?.flushWebhooks();
  for (const [name, path] of [
    ['payment', '/sendung/zahlung'],
    ['tracking', '/sendung'],
    ['cancel', '/sendung/stornieren'],
    ['reschedule', '/sendung/verschieben'],
    ['receipt', '/sendung/beleg'],
  ] as const) {
    const p = await page(`${base}${path}`);
    await weight(name, p.html, p.wireBytes, rows);
  }
  jar.clear();
  const enter = await page(`${base}/sendung`);
  await weight('tracking: enter code', enter.html, enter.wireBytes, rows);

  console.log('page weight, compressed (br), first visit: HTML and HTML + CSS + JS (fonts apart)\n');
  console.log(`${'page'.padEnd(32)} ${'HTML kB'.padStart(8)} ${'total kB'.padStart(9)}`);
  for (const [name, htmlKb, totalKb] of rows)
    console.log(`${(name ?? '').padEnd(32)} ${(htmlKb ?? '').padStart(8)} ${(totalKb ?? '').padStart(9)}`);
  console.log(`assets: ${[...assetBytes].map(([k, v]) => `${k} ${(v / 1024).toFixed(1)} kB`).join(', ')}`);

  const load = await runLoad({
    url: base,
    connections: CONNECTIONS,
    warmupSeconds: 2,
    durationSeconds: DURATION,
    next: () => ({ method: 'GET', path: `/buchen/${slug}`, headers: { accept: 'text/html', 'accept-encoding': 'br' } }),
  });
  console.log(
    `\nGET /buchen/${slug} (the booking page), ${CONNECTIONS} connections, ${DURATION} s: ${load.reqPerSec.toFixed(0)} req/s, p50 ${load.p50.toFixed(1)} ms, p99 ${load.p99.toFixed(1)} ms, non-2xx ${load.non2xx}`,
  );
} finally {
  await platform.close();
  await scratch.drop();
}
