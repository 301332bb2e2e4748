import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import net from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLeasedRateLimitStore, nextLeaseSize, type RateLimitCount } from '../../src/plugins/rate-limit-lease-store.ts';
import { TEST_REDIS_URL } from '../helpers/test-env.ts';

type Store = ReturnType<typeof createLeasedRateLimitStore>;

const prefix = `test-lease-${randomBytes(4).toString('hex')}:`;
const connections: Redis[] = [];

/** A store on a connection of its own, as an API process has, with its script calls counted. */
function processStore() {
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  connections.push(redis);
  const store = createLeasedRateLimitStore({ redis, prefix });
  const leased = redis as unknown as { rateLimitLease: (...args: unknown[]) => Promise<unknown> };
  const script = leased.rateLimitLease.bind(redis);
  const calls = { n: 0 };
  leased.rateLimitLease = (...args: unknown[]) => {
    calls.n++;
    return script(...args);
  };
  return { store, calls, redis };
}

const count = (store: Store, key: string, windowMs: number, max: number) =>
  new Promise<RateLimitCount>((resolve, reject) =>
    store.incr(key, (err, res) => (err || !res ? reject(err) : resolve(res)), windowMs, max),
  );

let admin: Redis;
beforeAll(() => {
  admin = new Redis(TEST_REDIS_URL);
});
afterAll(async () => {
  const keys = await admin.keys(`${prefix}*`);
  if (keys.length > 0) await admin.del(...keys);
  admin.disconnect();
  for (const c of connections) c.disconnect();
});

describe('the leased rate-limit store', () => {
  it('lets one process through exactly max times a window, with a script call every few requests, and refuses the rest without one', async () => {
    const { store, calls } = processStore();
    const currents: number[] = [];
    for (let i = 0; i < 100; i++) currents.push((await count(store, 'a', 60_000, 100)).current);
    expect(currents).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    // Leases of 1, 2, 4 and then at most 100/20 = 5: 3 + 93/5 rounded up.
    expect(calls.n).toBe(22);
    expect(Number(await admin.get(`${prefix}a`))).toBe(100);

    const over = [];
    for (let i = 0; i < 20; i++) over.push(await count(store, 'a', 60_000, 100));
    expect(over.every((r) => r.current > 100)).toBe(true);
    expect(over.every((r) => r.ttl > 0 && r.ttl <= 60_000)).toBe(true);
    expect(calls.n).toBe(22);
  });

  it('starts a key again once its window has ended', async () => {
    const { store } = processStore();
    for (let i = 0; i < 3; i++) await count(store, 'b', 300, 3);
    expect((await count(store, 'b', 300, 3)).current).toBe(4);
    await new Promise((r) => setTimeout(r, 350));
    expect((await count(store, 'b', 300, 3)).current).toBe(1);
  });

  it('lets two processes together through at most max times, and at most a lease fewer', async () => {
    const one = processStore();
    const two = processStore();
    // In waves of ten, so each process takes leases (a first wave on a fresh key asks per request).
    const results: RateLimitCount[] = [];
    for (let wave = 0; wave < 40; wave++)
      results.push(
        ...(await Promise.all(
          Array.from({ length: 10 }, (_, i) => count((wave * 10 + i) % 3 === 0 ? one.store : two.store, 'c', 60_000, 200)),
        )),
      );
    expect(one.calls.n + two.calls.n).toBeLessThan(200);
    const allowed = results.filter((r) => r.current <= 200).length;
    expect(allowed).toBeLessThanOrEqual(200);
    expect(allowed).toBeGreaterThanOrEqual(200 - 200 / 20);
    // No count was handed out twice.
    const counts = results.filter((r) => r.current <= 200).map((r) => r.current);
    expect(new Set(counts).size).toBe(counts.length);
  });

  it('gives concurrent requests of one process distinct counts from one lease at a time', async () => {
    const { store, calls } = processStore();
    for (let i = 0; i < 10; i++) await count(store, 'd', 60_000, 1000);
    const before = calls.n;
    const results = await Promise.all(Array.from({ length: 50 }, () => count(store, 'd', 60_000, 1000)));
    expect(new Set(results.map((r) => r.current)).size).toBe(50);
    expect(Math.max(...results.map((r) => r.current))).toBeLessThanOrEqual(60 + 50);
    // After the warm-up's leases (1, 2, 4, 8): 16 and 32, shared by the waiters instead of one call each.
    expect(calls.n - before).toBe(2);
  });

  it('lets exactly max through when a burst meets a fresh key, with one call in flight at a time', async () => {
    const { store, calls } = processStore();
    const results = await Promise.all(Array.from({ length: 300 }, () => count(store, 'burst', 60_000, 100)));
    const allowed = results.filter((r) => r.current <= 100).map((r) => r.current);
    expect(allowed.sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    // Leases of 1, 2, 4 and then 5 (a twentieth of 100): no count lost to a lease overwritten.
    expect(calls.n).toBe(22);
    expect(Number(await admin.get(`${prefix}burst`))).toBe(100);
  });

  it('fails every request waiting for a failed call with its error, after one call', async () => {
    // Nothing listens on port 1; no offline queue and no retries, so the call fails at once.
    const redis = new Redis({ port: 1, lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    redis.on('error', () => {});
    connections.push(redis);
    const store = createLeasedRateLimitStore({ redis, prefix });
    const leased = redis as unknown as { rateLimitLease: (...args: unknown[]) => Promise<unknown> };
    const script = leased.rateLimitLease.bind(redis);
    let calls = 0;
    leased.rateLimitLease = (...args: unknown[]) => {
      calls++;
      return script(...args);
    };
    const outcomes = await Promise.allSettled(Array.from({ length: 5 }, () => count(store, 'g', 60_000, 100)));
    expect(outcomes.map((o) => o.status)).toEqual(Array(5).fill('rejected'));
    expect(outcomes.every((o) => o.status === 'rejected' && o.reason instanceof Error)).toBe(true);
    expect(calls).toBe(1);
  });

  it('gives up on a Redis that does not answer after the call timeout, so the request is not held (the plugin lets it pass)', async () => {
    // Accepts connections and never answers, as a Redis that hangs; commands queue, as on the
    // platform's connection (maxRetriesPerRequest: null).
    const silent = net.createServer((socket) => socket.on('data', () => {}));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as net.AddressInfo).port;
    const redis = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: null });
    redis.on('error', () => {});
    connections.push(redis);
    try {
      const store = createLeasedRateLimitStore({ redis, prefix, callTimeoutMs: 200 });
      const t0 = performance.now();
      const outcomes = await Promise.allSettled([count(store, 'i', 60_000, 100), count(store, 'i', 60_000, 100)]);
      const waited = performance.now() - t0;
      expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
      expect(String((outcomes[0] as PromiseRejectedResult).reason)).toMatch(/Redis \(the rate limit\) did not answer within 200 ms/);
      expect(waited).toBeGreaterThanOrEqual(190);
      expect(waited).toBeLessThan(1_000);
    } finally {
      redis.disconnect();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it("shares a key's count with @fastify/rate-limit's own RedisStore (processes of the release before, during a rolling deploy)", async () => {
    const { redis, store } = processStore();
    const RedisStore = createRequire(import.meta.url)('@fastify/rate-limit/store/RedisStore.js') as new (
      continueExceeding: boolean,
      exponentialBackoff: boolean,
      redis: Redis,
      key: string,
    ) => Store;
    const old = new RedisStore(false, false, redis, prefix);
    for (let i = 0; i < 4; i++) await count(old, 'h', 60_000, 100);
    expect((await count(store, 'h', 60_000, 100)).current).toBe(5);
    // A lease of two (6 and 7), so the old store's next count is 8.
    expect((await count(store, 'h', 60_000, 100)).current).toBe(6);
    expect((await count(old, 'h', 60_000, 100)).current).toBe(8);
    expect((await count(store, 'h', 60_000, 100)).current).toBe(7);
  });

  it('is exact with a small limit: one count per script call', async () => {
    const { store, calls } = processStore();
    const currents = [];
    for (let i = 0; i < 5; i++) currents.push((await count(store, 'e', 60_000, 3)).current);
    expect(currents.slice(0, 3)).toEqual([1, 2, 3]);
    expect(currents.slice(3).every((c) => c > 3)).toBe(true);
    // One call per allowed request; the two past the limit are refused without one.
    expect(calls.n).toBe(3);
  });

  it('gives a key found without an expiry the window, so it cannot refuse its client for good', async () => {
    await admin.set(`${prefix}f`, '500');
    const { store } = processStore();
    const r = await count(store, 'f', 5_000, 10);
    expect(r.current).toBeGreaterThan(10);
    expect(r.ttl).toBeGreaterThan(4_900);
    expect(r.ttl).toBeLessThanOrEqual(5_000);
    expect(await admin.pttl(`${prefix}f`)).toBeGreaterThan(0);
  });

  it('keeps routes apart as @fastify/rate-limit RedisStore does (its key shape)', async () => {
    const { store } = processStore();
    const route = store.child({ routeInfo: { method: 'POST', url: '/v1/quotes' } });
    await count(route, '203.0.113.9', 60_000, 10);
    expect(await admin.get(`${prefix}POST/v1/quotes-203.0.113.9`)).toBe('1');
  });
});

describe('nextLeaseSize', () => {
  const lease = (size: number, last: number, until: number) => ({ next: last + 1, last, until, size });
  it('starts at one, doubles within a window, stops at a twentieth of the limit and at what is left', () => {
    expect(nextLeaseSize(null, 0, 1000)).toBe(1);
    expect(nextLeaseSize(lease(8, 100, 10), 20, 1000)).toBe(1); // window over
    expect(nextLeaseSize(lease(8, 100, 10), 5, 1000)).toBe(16);
    expect(nextLeaseSize(lease(40, 100, 10), 5, 1000)).toBe(50);
    expect(nextLeaseSize(lease(40, 990, 10), 5, 1000)).toBe(10);
    expect(nextLeaseSize(lease(4, 59, 10), 5, 60)).toBe(1);
    expect(nextLeaseSize(lease(1, 2, 10), 5, 3)).toBe(1);
  });
});
