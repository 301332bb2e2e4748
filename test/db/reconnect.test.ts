import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, queryRows, reconnectDelaySeconds } from '../../src/db/client.ts';
import { testDatabaseUrl } from '../helpers/test-env.ts';

/**
 * A TCP relay in front of the test database that can go away and come back on the same port, as
 * PostgreSQL does when it crashes and restarts: meanwhile connections are refused.
 */
async function relay(target: URL) {
  const sockets = new Set<net.Socket>();
  let server: net.Server | null = null;
  const port = await new Promise<number>((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (probe.address() as net.AddressInfo).port;
      probe.close(() => resolve(p));
    });
  });
  const up = () =>
    new Promise<void>((resolve) => {
      server = net
        .createServer((client) => {
          const upstream = net.connect(Number(target.port || 5432), target.hostname);
          for (const s of [client, upstream]) {
            sockets.add(s);
            s.on('close', () => sockets.delete(s));
            s.on('error', () => {});
          }
          client.pipe(upstream).pipe(client);
        })
        .listen(port, '127.0.0.1', () => resolve());
    });
  const down = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server?.close(() => resolve());
    });
  await up();
  return { port, up, down };
}

describe('the PostgreSQL pool after the server was gone', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'amtsbote-reconnect-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('waits at most a second between attempts, however often they failed', () => {
    for (const failures of [0, 1, 3, 5, 8, 20, 100]) {
      const delay = reconnectDelaySeconds(failures);
      expect(delay).toBeGreaterThan(0);
      expect(delay).toBeLessThanOrEqual(1);
    }
  });

  it('answers again within two seconds of the server coming back, after many failed attempts', async () => {
    const target = new URL(testDatabaseUrl());
    const gate = await relay(target);
    const proxied = new URL(target);
    proxied.host = `127.0.0.1:${gate.port}`;
    const handle = await openDatabase({ url: proxied.toString(), dataDir, maxConnections: 4 });
    try {
      await queryRows(handle.db, sql`select 1 as one`);
      await gate.down();
      // Two seconds of requests that fail: with postgres.js's own back-off the pool's failures
      // add up to waits of 10–20 s before the next attempt.
      const outageEnds = Date.now() + 2_000;
      let failed = 0;
      while (Date.now() < outageEnds) {
        await Promise.all(Array.from({ length: 4 }, () => queryRows(handle.db, sql`select 1`).catch(() => failed++)));
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(failed).toBeGreaterThan(8);
      await gate.up();
      const back = Date.now();
      const rows = await Promise.all(
        Array.from({ length: 8 }, async () => {
          // A request that meets a connection still waiting to try again is answered once it has.
          for (;;) {
            try {
              return await queryRows<{ one: number }>(handle.db, sql`select 1 as one`);
            } catch {
              if (Date.now() - back > 10_000) throw new Error('no connection within 10 s');
              await new Promise((r) => setTimeout(r, 20));
            }
          }
        }),
      );
      expect(rows.every((r) => r[0]?.one === 1)).toBe(true);
      expect(Date.now() - back).toBeLessThan(2_000);
    } finally {
      await handle.close();
      await gate.down();
    }
  }, 30_000);
});
