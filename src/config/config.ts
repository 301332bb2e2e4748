import { isIP } from 'node:net';
import { parseKassenzeichenFormat, type KassenzeichenFormat } from '../finance/kassenzeichen-format.ts';
import { parseFinanceAccounts, type PlatformFinanceAccounts } from '../finance/reports/finance-accounts.ts';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { MatrixChoice } from '../planning/solve.ts';
import type { GeocoderConfig } from '../geocoding/geocoder.ts';
import { notificationsConfig, type NotificationsConfig } from '../notifications/notifications.config.ts';

/**
 * Every environment variable the platform reads, validated once at start. Secrets have no
 * defaults: where one is missing, the platform either runs its embedded stand-in (PGlite, the
 * Stripe sandbox) and says so, or refuses to start.
 */
/** Before the 2nd … 8th delivery attempt (the 1st is at once): 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, about 28 h in all. */
export const DEFAULT_WEBHOOK_RETRY_DELAYS_MS = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000];

const EnvSchema = Type.Object({
  NODE_ENV: Type.Optional(Type.Union([Type.Literal('development'), Type.Literal('production'), Type.Literal('test')])),
  HOST: Type.String({ default: '127.0.0.1', maxLength: 255 }),
  PORT: Type.Integer({ default: 3000, minimum: 0, maximum: 65535 }),
  TRUST_PROXY: Type.String({ default: 'false', maxLength: 500, pattern: '^(true|false|[0-9a-fA-F.:/, ]+)$' }),
  PUBLIC_BASE_URL: Type.Optional(Type.String({ maxLength: 2048, pattern: '^https?://' })),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info' },
  ),
  DATABASE_URL: Type.Optional(Type.String({ maxLength: 2048, pattern: '^postgres(ql)?://' })),
  DATA_DIR: Type.String({ default: '.data', maxLength: 1024 }),
  REDIS_URL: Type.String({ default: 'redis://127.0.0.1:6379', maxLength: 2048, pattern: '^rediss?://' }),
  QUEUE_PREFIX: Type.String({ default: 'amtsbote', maxLength: 64, pattern: '^[a-z0-9_-]+$' }),
  STRIPE_SECRET_KEY: Type.Optional(Type.String({ maxLength: 255, pattern: '^(sk|rk)_(test|live)_' })),
  STRIPE_WEBHOOK_SECRET: Type.Optional(Type.String({ maxLength: 255, pattern: '^whsec_' })),
  /** The bearer token of GET /metrics (Prometheus); unset: no metrics endpoint. */
  METRICS_TOKEN: Type.Optional(Type.String({ minLength: 16, maxLength: 200, pattern: '^[A-Za-z0-9._~+/=-]+$' })),
  /**
   * A worker process without the API (`start:workers`) serves its own GET /metrics on HOST:METRICS_PORT,
   * behind the same METRICS_TOKEN; unset: it serves none. A process with the API shows the workers'
   * figures in the API's /metrics instead and does not open this port.
   */
  METRICS_PORT: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
  STRIPE_SANDBOX_PORT: Type.Integer({ default: 12111, minimum: 0, maximum: 65535 }),
  /** `external`: the sandbox runs in a process of its own (sandbox.cli.ts) on STRIPE_SANDBOX_PORT; the API does not host it. */
  STRIPE_SANDBOX: Type.Union([Type.Literal('hosted'), Type.Literal('external')], { default: 'hosted' }),
  PAYMENT_EXPIRY_MINUTES: Type.Integer({ default: 60, minimum: 1, maximum: 10080 }),
  QUOTE_TTL_MINUTES: Type.Integer({ default: 30, minimum: 1, maximum: 1440 }),
  STAFF_SESSION_HOURS: Type.Integer({ default: 12, minimum: 1, maximum: 720 }),
  RATE_LIMIT_PER_MINUTE: Type.Integer({ default: 60, minimum: 1, maximum: 100_000 }),
  PERSONAL_DATA_RETENTION_DAYS: Type.Integer({ default: 90, minimum: 1, maximum: 3650 }),
  BODY_LIMIT_BYTES: Type.Integer({ default: 65_536, minimum: 1024, maximum: 10_485_760 }),
  SEED_DEMO: Type.Union([Type.Literal('auto'), Type.Literal('never')], { default: 'auto' }),
  PLANNING_TIME_LIMIT_SECONDS: Type.Integer({ default: 30, minimum: 1, maximum: 600 }),
  PLANNING_ITERATIONS_PER_STOP: Type.Integer({ default: 20_000, minimum: 0, maximum: 1_000_000 }),
  PLANNING_CUTOFF_TIME: Type.String({ default: '18:00', pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', maxLength: 5 }),
  PLANNING_SERVICE_MINUTES: Type.Integer({ default: 5, minimum: 1, maximum: 60 }),
  PLANNING_ANNOUNCED_WINDOW_MINUTES: Type.Integer({ default: 60, minimum: 30, maximum: 240 }),
  DISPATCH_OFFER_MINUTES: Type.Integer({ default: 30, minimum: 1, maximum: 1440 }),
  GEOFENCE_REVIEW_METRES: Type.Integer({ default: 150, minimum: 10, maximum: 10_000 }),
  COURIER_EVENT_TOLERANCE_SECONDS: Type.Integer({ default: 300, minimum: 30, maximum: 3600 }),
  OSRM_URL: Type.Optional(Type.String({ maxLength: 2048, pattern: '^https?://' })),
  WEBHOOK_ALLOWED_HOSTS: Type.String({ default: '', maxLength: 2000, pattern: '^[A-Za-z0-9.:/,\\[\\] _-]*$' }),
  WEBHOOK_RETRY_DELAYS_MS: Type.String({
    default: DEFAULT_WEBHOOK_RETRY_DELAYS_MS.join(','),
    maxLength: 500,
    pattern: '^[0-9]{1,9}( *, *[0-9]{1,9}){0,49}$',
  }),
  WEBHOOK_RETRY_AFTER_MAX_SECONDS: Type.Integer({ default: 36_000, minimum: 0, maximum: 86_400 }),
  WEBHOOK_TIMEOUT_MS: Type.Integer({ default: 15_000, minimum: 50, maximum: 60_000 }),
  WEBHOOK_RELAY_EVERY_MS: Type.Integer({ default: 1_000, minimum: 50, maximum: 60_000 }),
  WEBHOOK_CONCURRENCY: Type.Integer({ default: 10, minimum: 1, maximum: 200 }),
  /** `npm start` only: run the reference courier company (src/courier-sim) alongside the platform. */
  COURIER_SIM: Type.Union([Type.Literal('0'), Type.Literal('1')], { default: '0' }),
  /** `off`: no notification rows are made and no mail or SMS leaves (the tests' default; see notifications/). */
  NOTIFICATIONS: Type.Union([Type.Literal('on'), Type.Literal('off')], { default: 'on' }),
  NOTIFICATION_RELAY_EVERY_MS: Type.Integer({ default: 2_000, minimum: 50, maximum: 60_000 }),
  /** `smtp://user:pass@host:587` or `smtps://…`; or the SMTP_HOST… parts. Without either: mails go to DATA_DIR/mails. */
  SMTP_URL: Type.Optional(Type.String({ maxLength: 2048, pattern: '^smtps?://' })),
  SMTP_HOST: Type.Optional(Type.String({ maxLength: 255, pattern: '^[A-Za-z0-9.:\\[\\]-]+$' })),
  SMTP_PORT: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
  SMTP_USER: Type.Optional(Type.String({ maxLength: 255 })),
  SMTP_PASSWORD: Type.Optional(Type.String({ maxLength: 1024 })),
  SMTP_SECURE: Type.Union([Type.Literal('true'), Type.Literal('false')], { default: 'false' }),
  MAIL_FROM: Type.String({ default: 'Amtsbote <no-reply@amtsbote.invalid>', maxLength: 320, pattern: '@' }),
  /** A generic SMS gateway: POST JSON with a bearer token. Without it, no SMS is sent. */
  SMS_HTTP_URL: Type.Optional(Type.String({ maxLength: 2048, pattern: '^https?://' })),
  SMS_HTTP_TOKEN: Type.Optional(Type.String({ minLength: 8, maxLength: 1024 })),
  SMS_HTTP_TIMEOUT_MS: Type.Integer({ default: 10_000, minimum: 100, maximum: 60_000 }),
  /** e.g. `{prefix}-{yyyy}-{seq:7}{check:luhn}` (the default); see finance/kassenzeichen-format.ts. */
  KASSENZEICHEN_FORMAT: Type.Optional(Type.String({ maxLength: 100 })),
  /** JSON with any of revenueAccount, feeAccount, clearingAccount, courierExpenseAccount, bankAccount, costCentre; see finance/reports/finance-accounts.ts. */
  FINANCE_ACCOUNTS: Type.Optional(Type.String({ maxLength: 2000 })),
  /** Beraternummer and Mandantennummer of the DATEV batch header; without both, DATEV downloads answer 409. */
  DATEV_CONSULTANT_NUMBER: Type.Optional(Type.Integer({ minimum: 1001, maximum: 9_999_999 })),
  DATEV_CLIENT_NUMBER: Type.Optional(Type.Integer({ minimum: 1, maximum: 99_999 })),
  /** Sachkontenlänge of the city's DATEV client. */
  DATEV_ACCOUNT_LENGTH: Type.Integer({ default: 4, minimum: 4, maximum: 8 }),
  /** First day of the fiscal year, `MM-DD`. */
  DATEV_FISCAL_YEAR_START: Type.String({ default: '01-01', pattern: '^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$', maxLength: 5 }),
  /** Sachkontenrahmen of the header, two digits (03 = SKR03, 04 = SKR04). */
  DATEV_CHART_OF_ACCOUNTS: Type.String({ default: '03', pattern: '^[0-9]{2}$', maxLength: 2 }),
  /** Which geocoder places the booking page's address; unset: the citizen places it (zone list, map pin). */
  GEOCODER: Type.Optional(Type.Union([Type.Literal('nominatim'), Type.Literal('photon')])),
  /** The geocoder's base URL (required with GEOCODER: no address goes to a public service by default). */
  GEOCODER_URL: Type.Optional(Type.String({ maxLength: 2048, pattern: '^https?://' })),
  GEOCODER_TIMEOUT_MS: Type.Integer({ default: 3_000, minimum: 100, maximum: 30_000 }),
  /** An XYZ tile layer under the booking page's map (`https://…/{z}/{x}/{y}.png`); unset: GeoJSON layers only. */
  MAP_TILE_URL: Type.Optional(Type.String({ maxLength: 2048, pattern: '^https?://[^\\s\'"]*\\{z\\}[^\\s\'"]*$' })),
  MAP_TILE_ATTRIBUTION: Type.Optional(Type.String({ maxLength: 300 })),
});

export type Env = Static<typeof EnvSchema>;

/**
 * Which Stripe this installation talks to. `live` is the real Stripe (a live or a test key);
 * `sandbox` is the bundled offline stand-in, whose webhook secret is the operator's
 * STRIPE_WEBHOOK_SECRET if set (null: a random one per start).
 */
export type StripeConfig =
  | { mode: 'live'; secretKey: string; webhookSecret: string }
  | { mode: 'sandbox'; port: number; webhookSecret: string | null; external: boolean };

/** What a planning run is given: solver budget, time at the door, announced window, travel times. */
export interface PlanningConfig {
  timeLimitMs: number;
  iterationsPerStop: number;
  serviceSeconds: number;
  announcedWindowSeconds: number;
  matrix: MatrixChoice;
  /** Office-local `HH:MM` at which the nightly run plans the next delivery day. */
  cutoffTime: string;
}

/** Offers to courier companies and what the platform accepts from them. */
export interface DispatchConfig {
  offerMinutes: number;
  geofenceMetres: number;
  eventToleranceSeconds: number;
}

/** Outbound courier webhooks: retry schedule, timeouts and the SSRF guard's allow-list. */
export interface WebhooksConfig {
  /** Delay before each retry; attempts = length + 1 (the first is at once). */
  retryDelaysMs: number[];
  /** A receiver's Retry-After is honoured up to this. */
  retryAfterMaxMs: number;
  /** The whole request (connect, send, answer) must finish within this. */
  timeoutMs: number;
  /** How often the relay hands pending events to the delivery queue. */
  relayEveryMs: number;
  concurrency: number;
  /** Production: webhook URLs must be https (checked when set and when sending). */
  requireHttps: boolean;
  /** Operator allow-list of the SSRF guard: host names, and IP addresses / CIDRs, that may be private. */
  allowedHosts: { hostnames: string[]; addresses: string[] };
}

/** What the finance office's exports book to and how the DATEV batch header reads. */
export interface FinanceConfig {
  accounts: PlatformFinanceAccounts;
  /** Null until the city names its DATEV consultant and client numbers. */
  datev: { consultantNumber: number; clientNumber: number; accountLength: number; fiscalYearStart: string; chartOfAccounts: string } | null;
  /** Sachkontenlänge, also without DATEV numbers (the accounts are checked against it). */
  accountLength: number;
}

export interface Config {
  env: Env;
  finance: FinanceConfig;
  webhooks: WebhooksConfig;
  stripe: StripeConfig;
  planning: PlanningConfig;
  dispatch: DispatchConfig;
  /** True when no STRIPE_SECRET_KEY is set and the bundled offline Stripe sandbox is used (`stripe.mode === 'sandbox'`). */
  stripeSandbox: boolean;
  /** The city's Kassenzeichen format; null: the default, whose sequence grows past 7 digits. */
  kassenzeichenFormat: KassenzeichenFormat | null;
  /** True when no DATABASE_URL is set and PGlite (embedded PostgreSQL) is used. */
  embeddedDatabase: boolean;
  /**
   * True when REDIS_URL is set. Without it the default address is used if a Redis answers there,
   * and `npm start` may otherwise run a redis-server of its own; a Redis the operator named never is.
   */
  redisConfigured: boolean;
  /** Which proxies' X-Forwarded-For to believe (Fastify's trustProxy). */
  trustProxy: boolean | string[];
  notifications: NotificationsConfig;
  /** The booking page's geocoder; null: the citizen places the address (zone list, map pin). */
  geocoder: GeocoderConfig | null;
  /** The booking page's map: an optional tile layer (its origin is added to the pages' CSP img-src). */
  map: { tileUrl: string | null; tileAttribution: string | null };
}

export class ConfigError extends Error {}

const numericKeys = new Set(
  Object.entries(EnvSchema.properties)
    .filter(([, s]) => (s as { type?: string }).type === 'integer')
    .map(([k]) => k),
);

export function loadConfig(source: Record<string, string | undefined> = process.env): Config {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(EnvSchema.properties)) {
    const value = source[key];
    if (value === undefined || value === '') continue;
    raw[key] = numericKeys.has(key) && /^-?\d+$/.test(value) ? Number(value) : value;
  }
  const withDefaults = Value.Default(EnvSchema, raw);
  const errors = [...Value.Errors(EnvSchema, withDefaults)];
  if (errors.length > 0) {
    const lines = errors.map((e) => `  ${e.path.slice(1) || '(root)'}: ${e.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const env = withDefaults as Env;
  // The port would otherwise open an endpoint no one may read, or one anyone may.
  if (env.METRICS_PORT !== undefined && !env.METRICS_TOKEN) {
    throw new ConfigError('METRICS_PORT needs METRICS_TOKEN: the worker metrics are served only with the bearer token');
  }
  const stripe = stripeConfig(env);
  return {
    env,
    stripe,
    planning: planningConfig(env),
    dispatch: {
      offerMinutes: env.DISPATCH_OFFER_MINUTES,
      geofenceMetres: env.GEOFENCE_REVIEW_METRES,
      eventToleranceSeconds: env.COURIER_EVENT_TOLERANCE_SECONDS,
    },
    webhooks: webhooksConfig(env),
    stripeSandbox: stripe.mode === 'sandbox',
    kassenzeichenFormat: kassenzeichenFormatOf(env),
    finance: financeConfig(env),
    embeddedDatabase: !env.DATABASE_URL,
    // From the source, not `env`: the schema's default fills REDIS_URL in either way.
    redisConfigured: Boolean(source.REDIS_URL),
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    notifications: notificationsConfigOf(env),
    geocoder: geocoderConfig(env),
    map: { tileUrl: env.MAP_TILE_URL ?? null, tileAttribution: env.MAP_TILE_ATTRIBUTION ?? null },
  };
}

function geocoderConfig(env: Env): GeocoderConfig | null {
  if (!env.GEOCODER) {
    if (env.GEOCODER_URL) throw new ConfigError('GEOCODER_URL is set but GEOCODER is not: set GEOCODER=nominatim or GEOCODER=photon');
    return null;
  }
  if (!env.GEOCODER_URL) {
    throw new ConfigError(`GEOCODER_URL is required with GEOCODER=${env.GEOCODER} (the base URL of the ${env.GEOCODER} server)`);
  }
  return { kind: env.GEOCODER, url: env.GEOCODER_URL, timeoutMs: env.GEOCODER_TIMEOUT_MS };
}

function notificationsConfigOf(env: Env): NotificationsConfig {
  try {
    return notificationsConfig(env);
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
}

function kassenzeichenFormatOf(env: Env): KassenzeichenFormat | null {
  if (!env.KASSENZEICHEN_FORMAT) return null;
  try {
    return parseKassenzeichenFormat(env.KASSENZEICHEN_FORMAT, 'KASSENZEICHEN_FORMAT');
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
}

function financeConfig(env: Env): FinanceConfig {
  let accounts: PlatformFinanceAccounts;
  try {
    accounts = parseFinanceAccounts(env.FINANCE_ACCOUNTS, env.DATEV_ACCOUNT_LENGTH);
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  const consultant = env.DATEV_CONSULTANT_NUMBER;
  const client = env.DATEV_CLIENT_NUMBER;
  if ((consultant === undefined) !== (client === undefined)) {
    throw new ConfigError('DATEV_CONSULTANT_NUMBER and DATEV_CLIENT_NUMBER go together: set both or neither');
  }
  const fiscalYearStart = env.DATEV_FISCAL_YEAR_START;
  const [month, day] = fiscalYearStart.split('-').map(Number) as [number, number];
  // 2001 has no 29 February: a fiscal year cannot start on a day that is missing in most years.
  if (new Date(Date.UTC(2001, month - 1, day)).getUTCDate() !== day) {
    throw new ConfigError(`DATEV_FISCAL_YEAR_START: ${fiscalYearStart} is not a day of every year`);
  }
  return {
    accounts,
    accountLength: env.DATEV_ACCOUNT_LENGTH,
    datev:
      consultant === undefined || client === undefined
        ? null
        : {
            consultantNumber: consultant,
            clientNumber: client,
            accountLength: env.DATEV_ACCOUNT_LENGTH,
            fiscalYearStart,
            chartOfAccounts: env.DATEV_CHART_OF_ACCOUNTS,
          },
  };
}

function stripeConfig(env: Env): StripeConfig {
  if (!env.STRIPE_SECRET_KEY) {
    const external = env.STRIPE_SANDBOX === 'external';
    // A sandbox of its own signs its webhooks with the secret it was started with: the API must know it.
    if (external && !env.STRIPE_WEBHOOK_SECRET) {
      throw new ConfigError(
        'STRIPE_WEBHOOK_SECRET is required with STRIPE_SANDBOX=external (the secret the sandbox signs its webhooks with)',
      );
    }
    return { mode: 'sandbox', port: env.STRIPE_SANDBOX_PORT, webhookSecret: env.STRIPE_WEBHOOK_SECRET ?? null, external };
  }
  if (!env.STRIPE_WEBHOOK_SECRET) {
    throw new ConfigError(
      'STRIPE_WEBHOOK_SECRET is required when STRIPE_SECRET_KEY is set (the signing secret of the webhook endpoint, whsec_…)',
    );
  }
  return { mode: 'live', secretKey: env.STRIPE_SECRET_KEY, webhookSecret: env.STRIPE_WEBHOOK_SECRET };
}

function planningConfig(env: Env): PlanningConfig {
  return {
    timeLimitMs: env.PLANNING_TIME_LIMIT_SECONDS * 1000,
    iterationsPerStop: env.PLANNING_ITERATIONS_PER_STOP,
    serviceSeconds: env.PLANNING_SERVICE_MINUTES * 60,
    announcedWindowSeconds: env.PLANNING_ANNOUNCED_WINDOW_MINUTES * 60,
    matrix: env.OSRM_URL ? { kind: 'osrm', baseUrl: env.OSRM_URL } : { kind: 'great_circle' },
    cutoffTime: env.PLANNING_CUTOFF_TIME,
  };
}

function webhooksConfig(env: Env): WebhooksConfig {
  const hostnames: string[] = [];
  const addresses: string[] = [];
  for (const entry of env.WEBHOOK_ALLOWED_HOSTS.split(',')
    .map((v) => v.trim().toLowerCase())
    .filter(Boolean)) {
    const bare = entry.replace(/^\[(.*)\]$/, '$1');
    const [ip, prefix, ...rest] = bare.split('/');
    const family = isIP(ip ?? '');
    if (family !== 0) {
      const bits = prefix === undefined ? null : Number(prefix);
      if (rest.length > 0 || (bits !== null && !(Number.isInteger(bits) && bits >= 0 && bits <= (family === 4 ? 32 : 128)))) {
        throw new ConfigError(`WEBHOOK_ALLOWED_HOSTS: ${entry} is not an IP address or CIDR`);
      }
      addresses.push(bare);
    } else if (/^[a-z0-9]([a-z0-9-]{0,62}\.)*[a-z0-9-]{1,63}$/.test(bare) && prefix === undefined) {
      hostnames.push(bare);
    } else {
      throw new ConfigError(`WEBHOOK_ALLOWED_HOSTS: ${entry} is neither a host name nor an IP address or CIDR`);
    }
  }
  return {
    retryDelaysMs: env.WEBHOOK_RETRY_DELAYS_MS.split(',').map((v) => Number(v.trim())),
    retryAfterMaxMs: env.WEBHOOK_RETRY_AFTER_MAX_SECONDS * 1000,
    timeoutMs: env.WEBHOOK_TIMEOUT_MS,
    relayEveryMs: env.WEBHOOK_RELAY_EVERY_MS,
    concurrency: env.WEBHOOK_CONCURRENCY,
    requireHttps: env.NODE_ENV === 'production',
    allowedHosts: { hostnames, addresses },
  };
}

/** `false` (default), `true` (only when the port is reachable through the proxy alone), or proxy addresses/CIDRs. */
function parseTrustProxy(value: string): boolean | string[] {
  if (value === 'true') return true;
  if (value === 'false') return false;
  return value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
}
