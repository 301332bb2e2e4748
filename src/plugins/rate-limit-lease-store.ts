/**
 * A store for @fastify/rate-limit that counts in Redis as its own RedisStore does (the same keys,
 * a fixed window that starts with a key's first count), but for a key that keeps coming it takes
 * several counts in one script call: a lease, handed out to the key's next requests in this
 * process without asking Redis again. A citizen request then costs no Redis round trip most of
 * the time, where it cost one each.
 *
 * What stays exact: every request a process lets through holds a count of its own in Redis, so
 * all processes together never let more than `max` through in a window. What is given up: counts
 * leased by one process and not used there are spent, so a client whose requests go to several
 * API processes may be refused a little early, by at most what the other processes hold
 * (a lease is at most a twentieth of the limit, and only a key that used up its last lease gets a
 * bigger one). One process alone is exact: it asks again before it refuses.
 *
 * A key that is over its limit is refused in this process until the window ends, without asking
 * Redis: a window's count only grows, so the answer cannot change. A flood from one address then
 * costs Redis nothing.
 */
import type { Redis } from 'ioredis';
import { createLru } from '../shared/lru.ts';

/**
 * INCRBY by the lease, and the window's remaining time. A key found without an expiry (which
 * @fastify/rate-limit's own script would keep forever, refusing its client for good) gets one.
 */
const LEASE_SCRIPT = `
local lease = tonumber(ARGV[2])
local current = redis.call('INCRBY', KEYS[1], lease)
local ttl = -1
if current ~= lease then ttl = redis.call('PTTL', KEYS[1]) end
if ttl < 0 then
  ttl = tonumber(ARGV[1])
  redis.call('PEXPIRE', KEYS[1], ttl)
end
return {current, ttl}`;

/** A lease is at most this share of the limit: what a client can lose to other processes. */
const LEASE_SHARE = 20;
/** Keys whose lease this process remembers; one forgotten only costs its unused counts. */
const MAX_KEYS = 50_000;

interface LeaseRedis extends Redis {
  rateLimitLease(key: string, windowMs: number, lease: number): Promise<[number, number]>;
}

interface Lease {
  /** The count the next request here gets. */
  next: number;
  /** The last count of the lease (counts past the limit are refusals). */
  last: number;
  /** When the window ends (Date.now() ms), as Redis said. */
  until: number;
  size: number;
  /** A lease being taken: requests for the key meanwhile wait for it. */
  pending: Promise<void> | null;
}

export interface RateLimitCount {
  current: number;
  ttl: number;
}

/** The size of the next lease for a key (pure: the tests check its bounds). */
export function nextLeaseSize(previous: Lease | undefined, now: number, max: number): number {
  if (!previous || now >= previous.until) return 1;
  const cap = Math.max(1, Math.floor(max / LEASE_SHARE));
  return Math.max(1, Math.min(cap, previous.size * 2, max - previous.last));
}

/** What Redis granted: counts `current - lease + 1 … current` of a window ending in `ttl` ms. */
function leaseFrom(current: number, lease: number, ttl: number, now: number): Lease {
  return { next: current - lease + 1, last: current, until: now + ttl, size: lease, pending: null };
}

export interface LeasedStoreOptions {
  redis: Redis;
  /** The key prefix (@fastify/rate-limit's nameSpace); routes add theirs as its RedisStore does. */
  prefix: string;
  now?: () => number;
}

export function createLeasedRateLimitStore(opts: LeasedStoreOptions) {
  const redis = opts.redis as LeaseRedis;
  if (!redis.rateLimitLease) redis.defineCommand('rateLimitLease', { numberOfKeys: 1, lua: LEASE_SCRIPT });
  const now = opts.now ?? Date.now;
  // One memory for the store and its children (keys carry the route), bounded as a whole.
  const leases = createLru<string, Lease>(MAX_KEYS);

  async function count(key: string, windowMs: number, max: number): Promise<RateLimitCount> {
    for (;;) {
      const t = now();
      const lease = leases.get(key);
      if (lease && t < lease.until) {
        if (lease.next <= lease.last || lease.next > max) {
          // From the lease, or refused: past the limit, and the window's count only grows.
          const current = lease.next <= lease.last ? lease.next++ : lease.next;
          return { current, ttl: lease.until - t };
        }
        if (lease.pending) {
          await lease.pending;
          continue;
        }
      }
      const size = nextLeaseSize(lease, t, max);
      let resolve!: () => void;
      const pending = new Promise<void>((r) => (resolve = r));
      if (lease && t < lease.until) lease.pending = pending;
      try {
        const [current, ttl] = await redis.rateLimitLease(key, windowMs, size);
        const taken = leaseFrom(current, size, ttl, t);
        // This request has the lease's first count (past the limit: a refusal, as the rest will be).
        leases.set(key, taken);
        return { current: taken.next++, ttl };
      } finally {
        if (lease?.pending === pending) lease.pending = null;
        resolve();
      }
    }
  }

  function store(prefix: string) {
    return {
      incr(key: string, callback: (error: Error | null, result?: RateLimitCount) => void, timeWindow: number, max: number) {
        count(prefix + key, timeWindow, max).then(
          (result) => callback(null, result),
          (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
        );
      },
      child(routeOptions: { routeInfo: { method: string | string[]; url: string } }) {
        return store(`${prefix}${String(routeOptions.routeInfo.method)}${routeOptions.routeInfo.url}-`);
      },
    };
  }
  return store(opts.prefix);
}
