import type { SimOptions, VehicleType } from './courier-sim.ts';

/**
 * The sim's settings from flags (`--time-factor 120` or `--time-factor=120`) and environment
 * variables (COURIER_SIM_TIME_FACTOR=120); a flag wins. Pure. Every option is listed in OPTIONS,
 * which is also what `--help` prints.
 */
export const OPTIONS = {
  'platform-url': { env: 'COURIER_SIM_PLATFORM_URL', default: 'http://127.0.0.1:3000', help: 'the platform API' },
  'company-id': { env: 'COURIER_SIM_COMPANY_ID', help: 'an existing company: its id …' },
  'api-key': { env: 'COURIER_SIM_API_KEY', help: '… its API key (ab_courier_…) …' },
  'signing-secret': { env: 'COURIER_SIM_SIGNING_SECRET', help: '… and its signing secret (whsec_…)' },
  'admin-username': { env: 'COURIER_SIM_ADMIN_USERNAME', help: 'or: an admin account to register a new company with' },
  'admin-password': { env: 'COURIER_SIM_ADMIN_PASSWORD', help: 'the admin password' },
  'company-name': { env: 'COURIER_SIM_COMPANY_NAME', default: 'Simulierter Kurier', help: 'name of the registered company' },
  'vehicle-types': { env: 'COURIER_SIM_VEHICLE_TYPES', default: 'bike,ecar', help: 'vehicles of the registered company' },
  office: { env: 'COURIER_SIM_OFFICE', default: 'stuttgart-mitte', help: 'office id or slug: its zones (registration) and its shifts' },
  zones: { env: 'COURIER_SIM_ZONES', help: 'zone ids the company serves (comma-separated); default: all of the office' },
  'state-file': { env: 'COURIER_SIM_STATE_FILE', help: 'keep the registered company’s credentials here (0600) and reuse them' },
  host: { env: 'COURIER_SIM_HOST', default: '127.0.0.1', help: 'where the webhook receiver listens' },
  port: { env: 'COURIER_SIM_PORT', default: '3100', help: 'receiver port (0: any free one)' },
  'webhook-url': { env: 'COURIER_SIM_WEBHOOK_URL', help: 'the URL the platform POSTs to (default http://host:port/webhooks)' },
  'time-factor': { env: 'COURIER_SIM_TIME_FACTOR', default: '60', help: 'simulated seconds per real second' },
  'fail-share': { env: 'COURIER_SIM_FAIL_SHARE', default: '0.1', help: 'share of stops that fail (not_home, refused, …)' },
  'identity-fail-share': {
    env: 'COURIER_SIM_IDENTITY_FAIL_SHARE',
    default: '0.05',
    help: 'share of the other stops whose identity check fails',
  },
  'decline-share': { env: 'COURIER_SIM_DECLINE_SHARE', default: '0', help: 'share of offers declined' },
  'slow-share': { env: 'COURIER_SIM_SLOW_SHARE', default: '0', help: 'share of webhooks answered late (accepted)' },
  'slow-ms': { env: 'COURIER_SIM_SLOW_MS', default: '20000', help: 'how late a slow answer is' },
  'error-share': { env: 'COURIER_SIM_ERROR_SHARE', default: '0', help: 'share of webhooks answered 500 (not processed)' },
  'throttle-share': {
    env: 'COURIER_SIM_THROTTLE_SHARE',
    default: '0',
    help: 'share of webhooks answered 429 + Retry-After (not processed)',
  },
  'retry-after': { env: 'COURIER_SIM_RETRY_AFTER_SECONDS', default: '5', help: 'Retry-After of a 429' },
  events: { env: 'COURIER_SIM_EVENTS', default: 'api-key', help: 'how events are reported: api-key or signed' },
  seed: { env: 'COURIER_SIM_SEED', default: '1', help: 'random seed (the same seed repeats a run)' },
  'poll-ms': { env: 'COURIER_SIM_POLL_MS', default: '2000', help: 'how often accepted routes are polled for the handover' },
  'door-seconds': { env: 'COURIER_SIM_DOOR_SECONDS', default: '180', help: 'simulated time at each door' },
  'shift-days': { env: 'COURIER_SIM_SHIFT_DAYS', default: '5', help: 'announce shifts for the next N delivery days at start (0: none)' },
  'shift-vehicles': { env: 'COURIER_SIM_SHIFT_VEHICLES', default: '2', help: 'vehicles per announced shift' },
  'shift-capacity': { env: 'COURIER_SIM_SHIFT_CAPACITY', default: '30', help: 'stops per vehicle of an announced shift' },
  'courier-ref': { env: 'COURIER_SIM_COURIER_REF', default: 'sim-rider-1', help: 'the courier id reported with identity checks' },
} as const;

export type OptionName = keyof typeof OPTIONS;

export class SimOptionsError extends Error {}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function parseSimOptions(argv: readonly string[], env: Record<string, string | undefined>): SimOptions {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (!arg.startsWith('--')) throw new SimOptionsError(`unexpected argument ${arg}`);
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    if (!(name in OPTIONS)) throw new SimOptionsError(`unknown option --${name} (see --help)`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new SimOptionsError(`--${name} needs a value`);
    flags.set(name, value);
  }
  const get = (name: OptionName): string | undefined => {
    const spec = OPTIONS[name];
    const fromEnv = env[spec.env];
    return flags.get(name) ?? (fromEnv === '' ? undefined : fromEnv) ?? ('default' in spec ? spec.default : undefined);
  };
  const num = (name: OptionName, min: number, max: number, integer = false) => {
    const raw = get(name) ?? '';
    const value = Number(raw);
    if (raw === '' || !Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
      throw new SimOptionsError(
        `--${name} (${OPTIONS[name].env}) must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, not "${raw}"`,
      );
    }
    return value;
  };
  const share = (name: OptionName) => num(name, 0, 1);

  const platformUrl = get('platform-url') ?? '';
  if (!/^https?:\/\/[^\s]+$/.test(platformUrl)) throw new SimOptionsError('--platform-url must be an http(s) URL');

  const companyId = get('company-id');
  const apiKey = get('api-key');
  const signingSecret = get('signing-secret');
  const given = [companyId, apiKey, signingSecret].filter(Boolean).length;
  if (given > 0 && given < 3)
    throw new SimOptionsError('an existing company needs all three of --company-id, --api-key and --signing-secret');
  if (companyId && !UUID.test(companyId)) throw new SimOptionsError('--company-id must be a UUID');
  if (apiKey && !apiKey.startsWith('ab_courier_')) throw new SimOptionsError('--api-key must start with ab_courier_');
  if (signingSecret && !signingSecret.startsWith('whsec_')) throw new SimOptionsError('--signing-secret must start with whsec_');

  const adminUsername = get('admin-username');
  const adminPassword = get('admin-password');
  const stateFile = get('state-file');
  if (given === 0 && !(adminUsername && adminPassword) && !stateFile) {
    throw new SimOptionsError(
      'give an existing company (--company-id, --api-key, --signing-secret) or admin credentials (--admin-username, --admin-password)',
    );
  }
  const vehicleTypes = (get('vehicle-types') ?? '')
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  if (vehicleTypes.length === 0 || !vehicleTypes.every((v): v is VehicleType => v === 'bike' || v === 'ecar')) {
    throw new SimOptionsError('--vehicle-types must be bike, ecar or bike,ecar');
  }
  const zones = get('zones')
    ?.split(',')
    .map((z) => z.trim())
    .filter(Boolean);
  if (zones && !zones.every((z) => UUID.test(z))) throw new SimOptionsError('--zones must be zone ids (UUIDs)');
  const office = get('office') ?? '';
  const events = get('events');
  if (events !== 'api-key' && events !== 'signed') throw new SimOptionsError('--events must be api-key or signed');
  const shares = { slow: share('slow-share'), serverError: share('error-share'), throttled: share('throttle-share') };
  if (shares.slow + shares.serverError + shares.throttled > 1)
    throw new SimOptionsError('--slow-share, --error-share and --throttle-share add up to more than 1');

  return {
    platformUrl: platformUrl.replace(/\/+$/, ''),
    ...(given === 3 && companyId && apiKey && signingSecret ? { credentials: { companyId, apiKey, signingSecret } } : {}),
    ...(adminUsername && adminPassword
      ? {
          register: {
            adminUsername,
            adminPassword,
            companyName: get('company-name') ?? 'Simulierter Kurier',
            vehicleTypes,
            ...(zones ? { zoneIds: zones } : {}),
          },
        }
      : {}),
    ...(stateFile ? { stateFile } : {}),
    office: UUID.test(office) ? { id: office } : { slug: office },
    host: get('host') ?? '127.0.0.1',
    port: num('port', 0, 65535, true),
    ...(get('webhook-url') ? { webhookUrl: get('webhook-url') } : {}),
    timeFactor: num('time-factor', 1, 1_000_000),
    outcomes: { failedStops: share('fail-share'), failedIdentityChecks: share('identity-fail-share') },
    declineShare: share('decline-share'),
    receiver: { ...shares, slowMs: num('slow-ms', 0, 600_000, true), retryAfterSeconds: num('retry-after', 0, 36_000, true) },
    transport: events,
    seed: num('seed', 0, 2 ** 32 - 1, true),
    pollMs: num('poll-ms', 50, 600_000, true),
    doorSeconds: num('door-seconds', 0, 3600, true),
    courierRef: get('courier-ref') ?? 'sim-rider-1',
    shiftDays: num('shift-days', 0, 60, true),
    shift: { vehicleCount: num('shift-vehicles', 1, 100, true), capacity: num('shift-capacity', 1, 500, true) },
  };
}

export function helpText(): string {
  const lines = ['npm run courier:sim -- [options]   (each option also as an environment variable)', ''];
  for (const [name, spec] of Object.entries(OPTIONS)) {
    const def = 'default' in spec ? ` (default ${spec.default})` : '';
    lines.push(`  --${name.padEnd(20)} ${spec.env.padEnd(34)} ${spec.help}${def}`);
  }
  return lines.join('\n');
}
