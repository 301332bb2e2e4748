/**
 * What drizzle's query building costs on a hot path, and what a statement built once saves
 * (src/db/prepared.ts). Creates a database of its own on BENCH_DATABASE_URL's server (dropped at
 * the end), migrates it, and runs the tracking page's booking lookup N times each way, one after
 * another on one connection: built per call (as drizzle does by default), built once
 * (preparedStatement), and postgres.js alone with the same SQL, for reference. Prints the wall
 * time and this process's CPU time per statement.
 *
 *   npm run bench:prepared -- [--calls 5000]
 */
import { eq } from 'drizzle-orm';
import postgres from 'postgres';
import { bookings } from '../src/bookings/bookings.table.ts';
import { createBookingsRepository } from '../src/bookings/bookings.repository.ts';
import { openDatabase } from '../src/db/client.ts';
import { wholeNumberFlag } from './flags.ts';

const CALLS = wholeNumberFlag('calls', 5000);
const server = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const dbName = `amtsbote_bench_prepared_${process.pid}`;
const admin = postgres(server, { max: 1, onnotice: () => {} });
await admin.unsafe(`create database ${dbName}`);
const url = new URL(server);
url.pathname = `/${dbName}`;
const handle = await openDatabase({ url: url.toString(), dataDir: '/tmp', maxConnections: 1 });
const raw = postgres(url.toString(), { max: 1, onnotice: () => {} });

async function measure(label: string, run: () => Promise<unknown>) {
  for (let i = 0; i < Math.min(500, CALLS); i++) await run();
  const start = performance.now();
  const cpu = process.cpuUsage();
  for (let i = 0; i < CALLS; i++) await run();
  const used = process.cpuUsage(cpu);
  const wallUs = ((performance.now() - start) * 1000) / CALLS;
  const cpuUs = (used.user + used.system) / CALLS;
  console.log(`${label.padEnd(44)} ${wallUs.toFixed(0).padStart(5)} µs wall  ${cpuUs.toFixed(0).padStart(5)} µs CPU per statement`);
  return cpuUs;
}

try {
  await handle.migrate();
  const { db } = handle;
  const hash = 'f'.repeat(64);
  console.log(`bench:prepared: select * from bookings by tracking-token hash, ${CALLS} calls each, one connection`);
  const built = await measure('drizzle, built per call', () => db.select().from(bookings).where(eq(bookings.trackingTokenHash, hash)));
  const once = await measure('drizzle, built once (preparedStatement)', () => createBookingsRepository(db).findByTrackingTokenHash(hash));
  await measure('built once, in a transaction of its own', () =>
    db.transaction((tx) => createBookingsRepository(tx).findByTrackingTokenHash(hash)),
  );
  await measure('postgres.js alone, same SQL', () => raw`select * from bookings where tracking_token_hash = ${hash}`);
  console.log(
    `building costs ${(built - once).toFixed(0)} µs of CPU per statement (${(built / once).toFixed(1)}× the statement built once)`,
  );
} finally {
  await raw.end();
  await handle.close();
  await admin.unsafe(`drop database if exists ${dbName} with (force)`);
  await admin.end();
}
