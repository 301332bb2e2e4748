import { randomUUID } from 'node:crypto';
import { describe, expect } from 'vitest';
import { test } from '../helpers/platform-fixture.ts';
import { ADDRESS, api, bookingBody, NEAR, seedOffice, type TestPlatform } from '../helpers/test-platform.ts';
import { must } from '../helpers/must.ts';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
interface SchemaNode {
  type?: string | string[];
  maxLength?: number;
  const?: unknown;
  enum?: unknown[];
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode | SchemaNode[];
  anyOf?: SchemaNode[];
  oneOf?: SchemaNode[];
  allOf?: SchemaNode[];
}

/**
 * The example is of this union branch: its `const` properties (a `type` discriminator) hold the
 * example's values. A branch the example is not of cannot be probed with it.
 */
function isBranchOf(branch: SchemaNode, example: Json | undefined): boolean {
  return Object.entries(branch.properties ?? {}).every(([k, s]) => {
    const value = example !== null && typeof example === 'object' && !Array.isArray(example) ? example[k] : undefined;
    const fixed = s.const ?? (s.enum?.length === 1 ? s.enum[0] : undefined);
    return (fixed === undefined || fixed === value) && isBranchOf(s, value);
  });
}

/** Every string in a schema, with its JSON path (array items as index 0); of a union, the example's branch. */
function stringLeaves(
  schema: SchemaNode,
  example?: Json,
  path: (string | number)[] = [],
): Array<{ path: (string | number)[]; schema: SchemaNode }> {
  const out: Array<{ path: (string | number)[]; schema: SchemaNode }> = [];
  const child = (k: string | number): Json | undefined =>
    example !== null && typeof example === 'object' ? (example as Record<string | number, Json>)[k] : undefined;
  if (schema.type === 'string' || (Array.isArray(schema.type) && schema.type.includes('string'))) out.push({ path, schema });
  for (const [k, s] of Object.entries(schema.properties ?? {})) out.push(...stringLeaves(s, child(k), [...path, k]));
  if (Array.isArray(schema.items)) schema.items.forEach((s, i) => out.push(...stringLeaves(s, child(i), [...path, i])));
  else if (schema.items) out.push(...stringLeaves(schema.items, child(0), [...path, 0]));
  const branches = [...(schema.anyOf ?? []), ...(schema.oneOf ?? [])];
  for (const s of branches.filter((b) => isBranchOf(b, example))) out.push(...stringLeaves(s, example, path));
  for (const s of schema.allOf ?? []) out.push(...stringLeaves(s, example, path));
  return out;
}

function setAt(value: Json, path: (string | number)[], leaf: Json): Json {
  const [head, ...rest] = path;
  if (head === undefined) return leaf;
  const copy = (Array.isArray(value) ? [...value] : { ...(value as Record<string, Json>) }) as Record<string | number, Json>;
  copy[head] = setAt(copy[head] ?? null, rest, leaf);
  return copy as Json;
}

function expectErrorShape(
  res: { status: number; body: { error?: { code?: unknown; message?: unknown; requestId?: unknown } } },
  status: number,
  code?: string,
) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body.error).toMatchObject({ code: code ?? expect.any(String), message: expect.any(String), requestId: expect.any(String) });
}

describe('bad input is a precise 4xx with the error shape, never a 500', () => {
  let officeId: string;
  let quoteId: string;
  let clerk: { headers: Record<string, string> };
  let doc: {
    paths: Record<
      string,
      Record<
        string,
        {
          operationId: string;
          requestBody?: { content: Record<string, { schema: SchemaNode; example?: Json; examples?: Record<string, { value: Json }> }> };
          parameters?: Array<{ in: string; name: string; schema: SchemaNode }>;
        }
      >
    >;
  };

  test.beforeAll(async ({ p }) => {
    ({
      office: { id: officeId },
    } = await seedOffice(p.db));
    clerk = await p.staff(['clerk'], officeId);
    quoteId = (await api(p, 'POST', '/v1/quotes', { body: { officeId, address: ADDRESS, location: NEAR } })).body.id;
    doc = p.app.swagger() as unknown as typeof doc;
  });

  const quote = (p: TestPlatform, body: unknown, headers: Record<string, string> = {}) => api(p, 'POST', '/v1/quotes', { body, headers });
  const book = (p: TestPlatform, body: unknown) => api(p, 'POST', '/v1/bookings', { body, headers: { 'idempotency-key': randomUUID() } });

  test('every string a client may send has a length limit', () => {
    const unbounded: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const schemas = [
          ...Object.values(op.requestBody?.content ?? {}).map((c) => ({ where: 'body', schema: c.schema })),
          ...(op.parameters ?? []).map((prm) => ({ where: `${prm.in} ${prm.name}`, schema: prm.schema })),
        ];
        for (const { where, schema } of schemas) {
          for (const leaf of stringLeaves(schema)) {
            if (leaf.schema.maxLength === undefined && leaf.schema.const === undefined && leaf.schema.enum === undefined) {
              unbounded.push(`${method.toUpperCase()} ${path} ${where} /${leaf.path.join('/')}`);
            }
          }
        }
      }
    }
    expect(unbounded).toEqual([]);
  });

  test('one character over the limit, in every string field of every request body, is a 400 naming the field', async ({ p }) => {
    // Someone allowed everywhere, so that access control never hides what validation says.
    const everyone = await p.staff(['clerk', 'supervisor', 'finance', 'admin'], officeId);
    // Courier company operations take a company's key instead of a staff token.
    const zones = await api(p, 'GET', `/v1/offices/${officeId}/zones`, { headers: everyone.headers });
    const company = await api(p, 'POST', '/v1/courier-companies', {
      headers: everyone.headers,
      body: {
        name: 'Probe',
        vehicleTypes: ['bike'],
        zoneIds: [zones.body.data[0].id],
        pricePerDeliveryCents: 1,
        pricePerFailedAttemptCents: 1,
        contact: { name: 'Probe', email: 'probe@example.org' },
      },
    });
    const courier = { authorization: `Bearer ${String(company.body.apiKey)}` };
    let probed = 0;
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const media = op.requestBody?.content['application/json'];
        if (!media) continue;
        // One example is written as `example`, several (e.g. createBooking with and without Checkout) as `examples`.
        const examples = media.example !== undefined ? [media.example] : Object.values(media.examples ?? {}).map((e) => e.value);
        expect(examples.length, `${op.operationId} has no example`).toBeGreaterThan(0);
        const url = path.replace(/\{[^}]+\}/g, randomUUID());
        for (const example of examples)
          for (const leaf of stringLeaves(media.schema, example)) {
            if (leaf.schema.maxLength === undefined) continue;
            // An optional object this example leaves out (Checkout's `payment`) is probed by the example that has it.
            if (!hasParent(example, leaf.path)) continue;
            const body = setAt(must(example, 'example'), leaf.path, 'x'.repeat(leaf.schema.maxLength + 1));
            const auth = path.startsWith('/v1/courier/') ? courier : everyone.headers;
            const res = await api(p, method.toUpperCase(), url, { body, headers: { ...auth, 'idempotency-key': randomUUID() } });
            expectErrorShape(res, 400, 'request.invalid_body');
            expect(
              res.body.error.details.map((d: { path: string }) => d.path),
              `${op.operationId} /${leaf.path.join('/')}`,
            ).toContain(`/${leaf.path.join('/')}`);
            probed++;
          }
      }
    }
    expect(probed).toBeGreaterThan(20);
  });

  test('unknown fields are refused, at the top level and nested', async ({ p }) => {
    const top = await quote(p, { officeId, address: ADDRESS, location: NEAR, discount: 100 });
    expectErrorShape(top, 400, 'request.invalid_body');
    expect(top.body.error.details[0].params).toEqual({ additionalProperty: 'discount' });
    const nested = await book(
      p,
      bookingBody(quoteId, { recipient: { name: 'Erika', phone: '+49 711 1234567', dateOfBirth: '1980-01-01' } }),
    );
    expectErrorShape(nested, 400, 'request.invalid_body');
    expect(nested.body.error.details[0]).toMatchObject({ path: '/recipient', params: { additionalProperty: 'dateOfBirth' } });
    const inWindow = await book(
      p,
      bookingBody(quoteId, { preferredWindows: [{ start: '2030-01-01T08:00:00Z', end: '2030-01-01T10:00:00Z', note: 'x' }] }),
    );
    expectErrorShape(inWindow, 400, 'request.invalid_body');
    const inQuery = await api(p, 'GET', '/v1/bookings?sort=asc', { headers: clerk.headers });
    expectErrorShape(inQuery, 400, 'request.invalid_querystring');
  });

  test.for([
    ['longitude above 180', [180.0001, 48.7]],
    ['latitude below -90', [9.1, -90.5]],
    ['three numbers', [9.1, 48.7, 300]],
    ['one number', [9.1]],
    ['no numbers', []],
    ['an object instead of a pair', { lng: 9.1, lat: 48.7 }],
    ['nulls', [null, null]],
    ['strings', ['9.1773', '48.7754']],
    ['NaN as a string', ['NaN', 'NaN']],
    ['booleans', [true, false]],
    ['nested arrays', [[9.1], [48.7]]],
  ] as const)('a location with %s is a 400', async ([, location], { p }) => {
    const res = await quote(p, { officeId, address: ADDRESS, location });
    expectErrorShape(res, 400, 'request.invalid_body');
  });

  test('numbers too large for JSON doubles (1e999) are a 400', async ({ p }) => {
    const res = await quote(p, `{"officeId":"${officeId}","address":${JSON.stringify(ADDRESS)},"location":[1e999,48.7]}`);
    expectErrorShape(res, 400);
  });

  test('values of the wrong type are not coerced into valid ones', async ({ p }) => {
    // The Vollmacht is a legal declaration: only the JSON value true counts as given.
    for (const powerOfAttorney of ['true', 1, 'yes', false]) {
      const res = await book(p, bookingBody(quoteId, { consent: { powerOfAttorney, textVersion: '2026-01' } }));
      expectErrorShape(res, 400, 'request.invalid_body');
    }
    const numericPhone = await book(p, bookingBody(quoteId, { recipient: { name: 'Erika', phone: 4971112345 } }));
    expectErrorShape(numericPhone, 400, 'request.invalid_body');
    const arrayWindows = await book(
      p,
      bookingBody(quoteId, { preferredWindows: { start: '2030-01-01T08:00:00Z', end: '2030-01-01T10:00:00Z' } }),
    );
    expectErrorShape(arrayWindows, 400, 'request.invalid_body');
  });

  test('text the database cannot store (NUL, half a surrogate pair) is a 400 naming the field, not a 500', async ({ p }) => {
    const nul = await book(p, bookingBody(quoteId, { recipient: { name: 'Eri\u0000ka', phone: '+49 711 1234567' } }));
    expectErrorShape(nul, 400, 'request.invalid_body');
    expect(nul.body.error.details[0].path).toBe('/recipient/name');
    const surrogate = JSON.stringify(bookingBody(quoteId, { address: { ...ADDRESS, street: 'SURROGATE' } })).replace(
      'SURROGATE',
      '\\ud800x',
    );
    const lone = await book(p, surrogate);
    expectErrorShape(lone, 400, 'request.invalid_body');
    expect(lone.body.error.details[0].path).toBe('/address/street');
    const everyone = await p.staff(['clerk', 'admin'], officeId);
    expectErrorShape(
      await api(p, 'GET', '/v1/bookings?kassenzeichen=%00', { headers: everyone.headers }),
      400,
      'request.invalid_querystring',
    );
    expectErrorShape(
      await api(p, 'POST', '/v1/staff', {
        headers: everyone.headers,
        body: { username: 'nul.char', displayName: 'N\u0000', password: 'a long passphrase 2026', roles: ['finance'], officeId: null },
      }),
      400,
      'request.invalid_body',
    );
    // Characters outside the BMP (a proper surrogate pair) are fine.
    expect((await book(p, bookingBody(quoteId, { recipient: { name: 'Erika 🙂 Mustermann', phone: '+49 711 1234567' } }))).status).toBe(
      201,
    );
  });

  test('malformed JSON is a 400 request.malformed_json', async ({ p }) => {
    for (const raw of ['{"officeId":', '{officeId: 1}', "{'a':1}", '[1,2,]', '\u0000']) {
      expectErrorShape(await quote(p, raw), 400);
    }
    expectErrorShape(await quote(p, '{"officeId":'), 400, 'request.malformed_json');
  });

  test('an empty body with a JSON content type is a 400', async ({ p }) => {
    expectErrorShape(
      await api(p, 'POST', '/v1/quotes', { headers: { 'content-type': 'application/json' }, body: '' }),
      400,
      'request.empty_body',
    );
  });

  test(`a body larger than BODY_LIMIT_BYTES is a 413 request.body_too_large`, async ({ p }) => {
    const limit = p.config.env.BODY_LIMIT_BYTES;
    const big = JSON.stringify({ officeId, address: { ...ADDRESS, street: 'x'.repeat(limit) }, location: NEAR });
    expectErrorShape(await quote(p, big), 413, 'request.body_too_large');
    expectErrorShape(
      await api(p, 'POST', '/v1/bookings', { body: big, headers: { 'idempotency-key': randomUUID() } }),
      413,
      'request.body_too_large',
    );
  });

  test.for(['text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x'])(
    'a body sent as %s is a 415 request.unsupported_media_type',
    async (contentType, { p }) => {
      const body = contentType === 'text/plain' ? JSON.stringify({ officeId, address: ADDRESS, location: NEAR }) : 'officeId=1';
      expectErrorShape(await quote(p, body, { 'content-type': contentType }), 415, 'request.unsupported_media_type');
    },
  );

  test('an invalid UUID in the path is a 400 request.invalid_params', async ({ p }) => {
    for (const id of ['not-a-uuid', '123', `${randomUUID()}x`, "' or 1=1 --"]) {
      const res = await api(p, 'GET', `/v1/bookings/${encodeURIComponent(id)}`, { headers: clerk.headers });
      expectErrorShape(res, 400, 'request.invalid_params');
    }
    expectErrorShape(await api(p, 'POST', '/v1/bookings/nope/cancel', { headers: clerk.headers, body: {} }), 400, 'request.invalid_params');
  });

  test('an unknown route is a 404 route.not_found, without echoing the query string', async ({ p }) => {
    const res = await api(p, 'GET', '/v1/nothing-here?secret=abc');
    expectErrorShape(res, 404, 'route.not_found');
    expect(res.body.error.message).not.toContain('secret');
    expectErrorShape(await api(p, 'PUT', '/v1/quotes', { body: {} }), 404, 'route.not_found');
  });

  test('a cursor the API did not hand out is a 400 request.invalid_cursor', async ({ p }) => {
    const b64 = (s: string) => Buffer.from(s).toString('base64url');
    for (const cursor of [
      'zzz',
      b64('{}'),
      b64('null'),
      b64('["x","y"]'),
      b64('["2026-01-01T00:00:00Z","not-an-id"]'),
      b64('[1e20,"00000000-0000-0000-0000-000000000000"]'),
    ]) {
      const res = await api(p, 'GET', `/v1/bookings?cursor=${cursor}`, { headers: clerk.headers });
      expectErrorShape(res, 400, 'request.invalid_cursor');
    }
    expectErrorShape(
      await api(p, 'GET', `/v1/bookings?cursor=${'a'.repeat(201)}`, { headers: clerk.headers }),
      400,
      'request.invalid_querystring',
    );
    expectErrorShape(await api(p, 'GET', '/v1/bookings?limit=0', { headers: clerk.headers }), 400, 'request.invalid_querystring');
    expectErrorShape(await api(p, 'GET', '/v1/bookings?limit=201', { headers: clerk.headers }), 400, 'request.invalid_querystring');
    expectErrorShape(await api(p, 'GET', '/v1/bookings?status=lost', { headers: clerk.headers }), 400, 'request.invalid_querystring');
    expectErrorShape(
      await api(p, 'GET', '/v1/bookings?createdFrom=yesterday', { headers: clerk.headers }),
      400,
      'request.invalid_querystring',
    );
  });

  describe('delivery windows', () => {
    const hours = (h: number) => new Date(Date.now() + h * 3_600_000).toISOString();
    test.for([
      ['in the past', [{ start: '2020-01-01T08:00:00Z', end: '2020-01-01T12:00:00Z' }]],
      ['starting an hour ago', [{ start: hours(-1), end: hours(3) }]],
      [
        'overlapping',
        [
          { start: hours(48), end: hours(52) },
          { start: hours(50), end: hours(54) },
        ],
      ],
      [
        'identical',
        [
          { start: hours(48), end: hours(52) },
          { start: hours(48), end: hours(52) },
        ],
      ],
      ['shorter than an hour', [{ start: hours(48), end: hours(48.5) }]],
      ['longer than 12 hours', [{ start: hours(48), end: hours(61) }]],
      ['ending before they start', [{ start: hours(52), end: hours(48) }]],
      ['beyond 120 days', [{ start: hours(121 * 24), end: hours(121 * 24 + 2) }]],
    ] as const)('windows %s are a 422 booking.invalid_windows', async ([, preferredWindows], { p }) => {
      expectErrorShape(await book(p, bookingBody(quoteId, { preferredWindows })), 422, 'booking.invalid_windows');
    });

    test('no windows or more than five are a 400', async ({ p }) => {
      expectErrorShape(await book(p, bookingBody(quoteId, { preferredWindows: [] })), 400, 'request.invalid_body');
      const six = Array.from({ length: 6 }, (_, i) => ({ start: hours(48 + i * 24), end: hours(50 + i * 24) }));
      expectErrorShape(await book(p, bookingBody(quoteId, { preferredWindows: six })), 400, 'request.invalid_body');
    });

    test('a date that does not exist (30 February) is a 400', async ({ p }) => {
      expectErrorShape(
        await book(p, bookingBody(quoteId, { preferredWindows: [{ start: '2027-02-30T08:00:00Z', end: '2027-02-30T10:00:00Z' }] })),
        400,
        'request.invalid_body',
      );
    });
  });

  test('booking the same application number twice is a 409, also from a new quote', async ({ p }) => {
    const body = bookingBody(quoteId);
    expect((await book(p, body)).status).toBe(201);
    expectErrorShape(await book(p, body), 409, 'booking.application_already_booked');
    const again = (await api(p, 'POST', '/v1/quotes', { body: { officeId, address: ADDRESS, location: NEAR } })).body.id;
    expectErrorShape(await book(p, { ...body, quoteId: again }), 409, 'booking.application_already_booked');
  });

  test('an X-Request-Id given by the caller is echoed in the error; a hostile one is replaced', async ({ p }) => {
    const given = await quote(p, {}, { 'x-request-id': 'trace-123' });
    expect(given.body.error.requestId).toBe('trace-123');
    expect(given.headers.get('x-request-id')).toBe('trace-123');
    const hostile = await quote(p, {}, { 'x-request-id': '<script>' });
    expect(hostile.body.error.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });
});

/** Whether every object above the leaf is in the example (a leaf directly in the body always is). */
function hasParent(example: Json, leafPath: (string | number)[]): boolean {
  let at: unknown = example;
  for (const key of leafPath.slice(0, -1)) {
    if (at === null || typeof at !== 'object') return false;
    at = (at as Record<string | number, unknown>)[key];
  }
  return at !== null && typeof at === 'object';
}
