/**
 * The bare baseline of `bench:api` (issue 8): a Fastify 5 server that validates a small JSON body
 * against a schema and does one `INSERT … RETURNING` with postgres.js, nothing else (no logger,
 * no hooks, no rate limit). Started by bench/api.ts in the bench database:
 *
 *   DATABASE_URL=postgres://… PORT=… [REDIS_URL=… FLOOR_PREFIX=… FLOOR_DIR=…] node --import tsx bench/baseline-server.ts
 *
 * It creates its tables (`bench_baseline`, `bench_floor`) if missing and answers `GET /health`
 * once it listens.
 *
 * With REDIS_URL it also serves the booking's floor (bench/floors.ts): createBooking reduced to
 * its round trips, with nothing else.
 */
import Fastify from 'fastify';
import postgres from 'postgres';
import { registerFloor } from './floors.ts';

const url = process.env.DATABASE_URL;
const port = Number(process.env.PORT ?? 0);
if (!url || !Number.isInteger(port)) throw new Error('DATABASE_URL and PORT are required');

// The same pool size as the platform's (src/db/client.ts).
const sql = postgres(url, { max: 10, onnotice: () => {} });
await sql`create table if not exists bench_baseline (
  id bigint generated always as identity primary key,
  name text not null,
  amount_cents integer not null,
  created_at timestamptz not null default now()
)`;

const app = Fastify({ logger: false });
app.get('/health', async () => ({ status: 'ok' }));
app.post(
  '/v1/items',
  {
    schema: {
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'amountCents'],
        properties: {
          name: { type: 'string', minLength: 1, maxLength: 100 },
          amountCents: { type: 'integer', minimum: 0, maximum: 100_000_000 },
        },
      },
    },
  },
  async (request, reply) => {
    const { name, amountCents } = request.body as { name: string; amountCents: number };
    const [row] = await sql<{ id: string; created_at: Date }[]>`
      insert into bench_baseline (name, amount_cents) values (${name}, ${amountCents}) returning id, created_at`;
    return reply.status(201).send({ id: row?.id, name, amountCents, createdAt: row?.created_at.toISOString() });
  },
);

const floor = process.env.REDIS_URL
  ? await registerFloor(app, {
      sql,
      redisUrl: process.env.REDIS_URL,
      prefix: process.env.FLOOR_PREFIX ?? 'bench-floor',
      dir: process.env.FLOOR_DIR,
    })
  : null;

await app.listen({ host: '127.0.0.1', port });
const stop = async () => {
  await app.close();
  await floor?.close();
  await sql.end({ timeout: 5 });
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());
