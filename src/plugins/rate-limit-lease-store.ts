/**
 * A store for @fastify/rate-limit that counts in Redis as its own RedisStore does (the same keys,
 * a fixed window that starts with a key's first count), but for a key that keeps coming it takes
 * several counts in one script call: a lease, handed out to the key's next requests in this
 * process without asking Redis again. A busy address then costs Redis one script call per lease
 * where it cost one per request: at the default 60 a minute (leases of at most 3) about a third
 * of the calls, at higher limits far fewer.
 *
 * What stays exact: every request a process lets through holds a count of its own in Redis, so
 * all processes together never let more than `max` through in a window. What is given up: counts
 * leased by one process and not used there are spent, so a client whose requests go to several
 * API processes may be refused a little early, by at most what the other processes hold
 * (a lease is at most a twentieth of the limit, and only a key that used up its last lease gets a
 * bigger one). One process alone is exact, also for concurrent requests: a key has one call in
 * flight at a time, so no lease is replaced before it is spent, and it asks again before it refuses.
 *
 * A key that is over its limit is refused in this process until the window ends, without asking
 * Redis: a window's count only grows, so the answer cannot change. A flood from one address then
 * costs Redis nothing.
 */
import type { Redis } from 'ioredis';
import { createLru } from '../shared/lru.ts';
import { withinTime } from '../shared/within-time.ts';

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
/**
 * How long a request waits for Redis. The platform's connection queues commands while Redis is
 * away (BullMQ needs that), so without a bound a citizen's request would wait for Redis to come
 * back; after it the call fails and the plugin lets the request pass (skipOnError).
 */
const CALL_TIMEOUT_MS = 1_000;

interface LeaseRedis extends Redis {
  rateLimitLease(key: string, windowMs: number, lease: number): Promise<[number, number]>;
}

/** Counts a process holds for a key in its current window. */
export interface Lease {
  /** The count the next request here gets (past `last`, or past the limit: refusals). */
  next: number;
  /** The last count of the lease. */
  last: number;
  /** When the window ends (on `now()`'s clock), as Redis said, measured from before the call. */
  until: number;
  /** How many counts it took: the next lease in the window may be twice as many. */
  size: number;
}

/** A key's lease and the one script call for it in flight, which every request for the key awaits. */
interface KeyState {
  lease: Lease | null;
  taking: Promise<void> | null;
}

export interface RateLimitCount {
  current: number;
  ttl: number;
}

/** The size of the next lease for a key (pure: the tests check its bounds). */
export function nextLeaseSize(previous: Lease | null, now: number, max: number): number {
  if (!previous || now >= previous.until) return 1;
  const cap = Math.max(1, Math.floor(max / LEASE_SHARE));
  return Math.max(1, Math.min(cap, previous.size * 2, max - previous.last));
}

export interface LeasedStoreOptions {
  redis: Redis;
  /** The key prefix (@fastify/rate-limit's nameSpace); routes add theirs as its RedisStore does. */
  prefix: string;
  /** A monotonic clock in ms: a wall clock set back would stretch a lease past its window. */
  now?: () => number;
  callTimeoutMs?: number;
}

export function createLeasedRateLimitStore(opts: LeasedStoreOptions) {
  const redis = opts.redis as LeaseRedis;
  if (!redis.rateLimitLease) redis.defineCommand('rateLimitLease', { numberOfKeys: 1, lua: LEASE_SCRIPT });
  const now = opts.now ?? (() => performance.now());
  const callTimeoutMs = opts.callTimeoutMs ?? CALL_TIMEOUT_MS;
  // One memory for the store and its children (keys carry the route), bounded as a whole. A key
  // dropped while its call is in flight only loses that lease's counts: stricter, never looser.
  const keys = createLru<string, KeyState>(MAX_KEYS);

  async function count(key: string, windowMs: number, max: number): Promise<RateLimitCount> {
    let state = keys.get(key);
    if (!state) keys.set(key, (state = { lease: null, taking: null }));
    for (;;) {
      const t = now();
      const { lease } = state;
      // From the lease; or refused, past the limit, until the window ends (its count only grows).
      // Refusals count on as Redis's counter would, so `current` keeps rising for the plugin.
      if (lease && t < lease.until && (lease.next <= lease.last || lease.next > max)) {
        return { current: lease.next++, ttl: Math.ceil(lease.until - t) };
      }
      // One call per key at a time, so a lease is replaced only once it is spent or its window is
      // over; a failed call fails every request that waited for it, with its error.
      if (!state.taking) {
        const size = nextLeaseSize(lease, t, max);
        const taken = state;
        // A late answer is dropped with its lease (its counts are spent: stricter, never looser).
        state.taking = withinTime(redis.rateLimitLease(key, windowMs, size), callTimeoutMs, 'Redis (the rate limit)').then(
          ([current, ttl]) => {
            taken.lease = { next: current - size + 1, last: current, until: t + ttl, size };
            taken.taking = null;
          },
          (error: unknown) => {
            taken.taking = null;
            throw error;
          },
        );
      }
      await state.taking;
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
