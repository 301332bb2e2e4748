/**
 * The floor of `bench:api` (issue 8): createBooking reduced to its round trips. Same Fastify,
 * body validation, the same statements in the same round trips as the platform makes them
 * (bookings/bookings.service.ts), but each statement trivial and no work between them: no
 * drizzle, no stripe-node, no pricing, no plugins.
 *
 * It answers "what does this much I/O cost on this machine": a goal the floor itself misses
 * cannot be met without fewer round trips, and the gap between the platform's row and its floor
 * is the platform's own work (its code and the libraries it uses). A quote's round trip is one
 * insert, as the baseline's (its rate limit is counted from a lease, not in Redis per request),
 * so the baseline is its floor.
 *
 * `POST /floor/booking`: a transaction of BEGIN, four statements in one round trip (the
 * idempotency claim, two reads, `nextval`), four inserts in one round trip, COMMIT; then side by
 * side a Redis script (the expiry job) and an HTTP POST to a stand-in payment server in this
 * process, which appends three lines to a file (the sandbox's PaymentIntent, its event and its
 * idempotency record) and answers a JSON object the size of a PaymentIntent; then one UPDATE (the
 * payment attached, the idempotency record completed).
 */
import { writeSync, openSync, closeSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import type postgres from 'postgres';

/** A delayed job in the shape of BullMQ's: its hash and its place in the delayed set. */
const DELAYED_JOB_LUA = `
  redis.call('HSET', KEYS[1], 'name', 'expire', 'data', ARGV[1], 'delay', ARGV[2])
  redis.call('ZADD', KEYS[2], ARGV[2], KEYS[1])
  return 1`;

interface FloorRedis extends Redis {
  floorDelayedJob(jobKey: string, delayedKey: string, data: string, at: number): Promise<number>;
}

const bookingBody = {
  type: 'object',
  required: ['applicationNumber', 'amountCents'],
  properties: {
    applicationNumber: { type: 'string', minLength: 1, maxLength: 32 },
    amountCents: { type: 'integer', minimum: 0, maximum: 100_000_000 },
    recipient: { type: 'object', properties: { name: { type: 'string', maxLength: 200 }, phone: { type: 'string', maxLength: 40 } } },
  },
} as const;

export async function registerFloor(
  app: FastifyInstance,
  opts: { sql: postgres.Sql; redisUrl: string; prefix: string; dir?: string | undefined },
): Promise<{ close(): Promise<void> }> {
  const { sql, prefix } = opts;
  await sql`create table if not exists bench_floor (
    id uuid primary key,
    kind text not null,
    body jsonb not null,
    created_at timestamptz not null default now()
  )`;
  await sql`create table if not exists bench_floor_claim (
    key text primary key,
    response jsonb,
    expires_at timestamptz not null
  )`;
  await sql`create sequence if not exists bench_floor_seq`;

  const redis = new Redis(opts.redisUrl, { maxRetriesPerRequest: 1 }) as FloorRedis;
  redis.defineCommand('floorDelayedJob', { numberOfKeys: 2, lua: DELAYED_JOB_LUA });

  // The stand-in payment server: parses a form body and appends three lines before it answers,
  // as the sandbox's file store does (writeSync: the answer follows the write).
  const dir = opts.dir ?? mkdtempSync(path.join(tmpdir(), 'amtsbote-bench-floor-'));
  const fd = openSync(path.join(dir, 'floor-payments.jsonl'), 'a');
  const payments = http.createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (raw += c));
    req.on('end', () => {
      const form = Object.fromEntries(new URLSearchParams(raw));
      const intent = {
        id: `pi_${randomUUID().replaceAll('-', '')}`,
        object: 'payment_intent',
        amount: Number(form.amount),
        currency: form.currency,
        client_secret: `pi_secret_${randomUUID().replaceAll('-', '')}`,
        status: 'requires_payment_method',
        metadata: form,
        created: Math.floor(Date.now() / 1000),
        livemode: false,
        payment_method_types: ['card', 'sepa_debit', 'giropay'],
        padding: 'x'.repeat(900),
      };
      const line = JSON.stringify(intent) + '\n';
      writeSync(fd, line);
      writeSync(fd, JSON.stringify({ type: 'payment_intent.created', id: `evt_${intent.id}` }) + '\n');
      writeSync(fd, JSON.stringify({ key: req.headers['idempotency-key'], status: 200, body: line.length }) + '\n');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(line);
    });
  });
  await new Promise<void>((resolve) => payments.listen(0, '127.0.0.1', resolve));
  const paymentsPort = (payments.address() as { port: number }).port;
  const agent = new http.Agent({ keepAlive: true });
  const createIntent = (form: Record<string, string>, idempotencyKey: string) =>
    new Promise<{ id: string; client_secret: string }>((resolve, reject) => {
      const body = new URLSearchParams(form).toString();
      const req = http.request(
        {
          agent,
          host: '127.0.0.1',
          port: paymentsPort,
          method: 'POST',
          path: '/v1/payment_intents',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            'content-length': Buffer.byteLength(body),
            'idempotency-key': idempotencyKey,
          },
        },
        (res) => {
          let raw = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (raw += c));
          res.on('end', () => resolve(JSON.parse(raw) as { id: string; client_secret: string }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });

  app.post('/floor/booking', { schema: { body: bookingBody } }, async (request, reply) => {
    const input = request.body as { applicationNumber: string; amountCents: number };
    const key = request.headers['idempotency-key']?.toString() ?? randomUUID();
    const bookingId = randomUUID();
    const body = sql.json(input as unknown as postgres.JSONValue);
    const seq = await sql.begin(async (tx) => {
      const [, , , [next]] = await Promise.all([
        tx`insert into bench_floor_claim (key, expires_at) values (${key}, now() + interval '1 day')
           on conflict (key) do nothing returning key`,
        tx`select ${bookingId}::uuid as quote_id, now() as expires_at`,
        tx`select generate_series(1, 2) as closed_day`,
        tx<{ seq: string }[]>`select nextval('bench_floor_seq')::text as seq`,
      ]);
      await Promise.all([
        tx`insert into bench_floor (id, kind, body) values (${bookingId}, 'booking', ${body}) returning id, created_at`,
        tx`insert into bench_floor (id, kind, body) values (${randomUUID()}, 'payment', ${body}) returning id`,
        tx`update bench_floor_claim set response = ${body} where key = ${key}`,
        tx`insert into bench_floor (id, kind, body) values (${randomUUID()}, 'audit', ${body})`,
      ]);
      return next?.seq ?? '0';
    });
    const [, intent] = await Promise.all([
      redis.floorDelayedJob(`${prefix}:job:${bookingId}`, `${prefix}:delayed`, bookingId, Date.now() + 3_600_000),
      createIntent(
        { amount: String(input.amountCents), currency: 'eur', 'metadata[booking_id]': bookingId, 'metadata[kassenzeichen]': seq },
        key,
      ),
    ]);
    await sql`update bench_floor_claim set response = ${sql.json({ intent: intent.id })} where key = ${key}`;
    return reply.status(201).send({
      booking: { id: bookingId, kassenzeichen: seq, ...input },
      payment: { paymentIntentId: intent.id, clientSecret: intent.client_secret },
    });
  });

  return {
    async close() {
      await new Promise<void>((resolve) => payments.close(() => resolve()));
      agent.destroy();
      closeSync(fd);
      if (!opts.dir) rmSync(dir, { recursive: true, force: true });
      redis.disconnect();
    },
  };
}
