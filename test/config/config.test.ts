import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.ts';
import { must } from '../helpers/must.ts';

const failure = (env: Record<string, string>) => {
  try {
    loadConfig(env);
    return null;
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
};

describe('configuration is validated once, at start', () => {
  it('runs with no variables at all: embedded database, Stripe sandbox, documented defaults', () => {
    const config = loadConfig({});
    expect(config.embeddedDatabase).toBe(true);
    expect(config.stripeSandbox).toBe(true);
    expect(config.env).toMatchObject({
      PORT: 3000,
      HOST: '127.0.0.1',
      BODY_LIMIT_BYTES: 65_536,
      QUOTE_TTL_MINUTES: 30,
      PAYMENT_EXPIRY_MINUTES: 60,
      STAFF_SESSION_HOURS: 12,
    });
  });

  it('does not read process.env when given a source, and ignores variables it does not know', () => {
    const config = loadConfig({ SOMETHING_ELSE: 'x', PORT: '8080' });
    expect(config.env.PORT).toBe(8080);
    expect(config.env).not.toHaveProperty('SOMETHING_ELSE');
  });

  it('parses integers and treats an empty value as unset', () => {
    const config = loadConfig({ BODY_LIMIT_BYTES: '2048', PORT: '', DATABASE_URL: '' });
    expect(config.env.BODY_LIMIT_BYTES).toBe(2048);
    expect(config.env.PORT).toBe(3000);
    expect(config.embeddedDatabase).toBe(true);
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['PORT', '3000abc'],
    ['PORT', '1.5'],
    ['BODY_LIMIT_BYTES', '10'],
    ['QUOTE_TTL_MINUTES', '0'],
    ['LOG_LEVEL', 'verbose'],
    ['DATABASE_URL', 'mysql://localhost/db'],
    ['REDIS_URL', 'localhost:6379'],
    ['QUEUE_PREFIX', 'Has Spaces'],
    ['STRIPE_SECRET_KEY', 'pk_test_123'],
    ['STRIPE_WEBHOOK_SECRET', 'secret'],
    ['SEED_DEMO', 'yes'],
  ])('a bad %s (%s) fails fast with a message naming the variable', (name, value) => {
    expect(failure({ [name]: value })).toMatch(new RegExp(`^Invalid configuration:\\n.*\\b${name}\\b`, 's'));
  });

  it("a city's Kassenzeichen format is read once; a bad one fails the start with the variable named", () => {
    expect(loadConfig({}).kassenzeichenFormat).toBeNull();
    expect(loadConfig({ KASSENZEICHEN_FORMAT: 'KA-{prefix}-{yyyy}-{seq:8}{check:mod11}' }).kassenzeichenFormat).toMatchObject({
      cityPrefix: 'KA',
      includeYear: true,
      sequenceLength: 8,
      checkDigit: 'mod11',
    });
    expect(failure({ KASSENZEICHEN_FORMAT: '{prefix}-{year}-{seq:7}' })).toMatch(/^KASSENZEICHEN_FORMAT: unknown placeholder/);
  });

  it('lists every bad variable at once', () => {
    const message = must(failure({ PORT: 'x', LOG_LEVEL: 'loud' }), "failure({ PORT: 'x', LOG_LEVEL: 'loud' })");
    expect(message).toContain('PORT');
    expect(message).toContain('LOG_LEVEL');
  });

  it('a real Stripe key needs its webhook secret, and then the sandbox is off', () => {
    expect(failure({ STRIPE_SECRET_KEY: 'sk_test_abc' })).toMatch(/STRIPE_WEBHOOK_SECRET is required/);
    const config = loadConfig({ STRIPE_SECRET_KEY: 'sk_test_abc', STRIPE_WEBHOOK_SECRET: 'whsec_abc' });
    expect(config.stripeSandbox).toBe(false);
  });

  it('Stripe is one of two shapes: the real Stripe with key and webhook secret, or the sandbox with its port', () => {
    expect(loadConfig({}).stripe).toEqual({ mode: 'sandbox', port: 12111, webhookSecret: null, external: false });
    expect(loadConfig({ STRIPE_SANDBOX_PORT: '0', STRIPE_WEBHOOK_SECRET: 'whsec_mine' }).stripe).toEqual({
      mode: 'sandbox',
      port: 0,
      webhookSecret: 'whsec_mine',
      external: false,
    });
    expect(loadConfig({ STRIPE_SANDBOX: 'external', STRIPE_WEBHOOK_SECRET: 'whsec_mine' }).stripe).toMatchObject({ external: true });
    expect(loadConfig({ STRIPE_SECRET_KEY: 'sk_live_abc', STRIPE_WEBHOOK_SECRET: 'whsec_abc' }).stripe).toEqual({
      mode: 'live',
      secretKey: 'sk_live_abc',
      webhookSecret: 'whsec_abc',
    });
  });

  it('the planning settings are read from the environment once, in the units the planner works in', () => {
    expect(loadConfig({}).planning).toEqual({
      timeLimitMs: 30_000,
      iterationsPerStop: 20_000,
      serviceSeconds: 300,
      announcedWindowSeconds: 3600,
      matrix: { kind: 'great_circle' },
      cutoffTime: '18:00',
    });
    const custom = loadConfig({ PLANNING_TIME_LIMIT_SECONDS: '2', PLANNING_SERVICE_MINUTES: '4', OSRM_URL: 'http://osrm:5000' });
    expect(custom.planning).toMatchObject({
      timeLimitMs: 2000,
      serviceSeconds: 240,
      matrix: { kind: 'osrm', baseUrl: 'http://osrm:5000' },
    });
  });

  it('only a REDIS_URL the operator set counts as configured (npm start may run its own Redis otherwise), also when it names the default', () => {
    expect(loadConfig({}).redisConfigured).toBe(false);
    expect(loadConfig({}).env.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(loadConfig({ REDIS_URL: '' }).redisConfigured).toBe(false);
    expect(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379' }).redisConfigured).toBe(true);
  });

  it('a DATABASE_URL switches from the embedded database to the server', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://u@db:5432/amtsbote' }).embeddedDatabase).toBe(false);
    expect(loadConfig({ DATABASE_URL: 'postgresql://u@db:5432/amtsbote' }).embeddedDatabase).toBe(false);
  });
});

describe("the finance office's accounts and DATEV header", () => {
  it('defaults to SKR03 accounts without tax keys, and DATEV off until both numbers are set', () => {
    const { finance } = loadConfig({});
    expect(finance.accounts).toEqual({
      revenueAccount: '8200',
      feeAccount: '4970',
      clearingAccount: '1360',
      courierExpenseAccount: '3100',
      bankAccount: '1200',
      costCentre: '',
    });
    expect(finance.datev).toBeNull();
  });

  it('FINANCE_ACCOUNTS overrides single keys and keeps the rest', () => {
    const { finance } = loadConfig({
      FINANCE_ACCOUNTS: '{"revenueAccount":"41100","costCentre":"KST 10"}',
      DATEV_ACCOUNT_LENGTH: '5',
      DATEV_CONSULTANT_NUMBER: '29098',
      DATEV_CLIENT_NUMBER: '55003',
    });
    expect(finance.accounts).toMatchObject({ revenueAccount: '41100', feeAccount: '4970', costCentre: 'KST 10' });
    expect(finance.datev).toEqual({
      consultantNumber: 29098,
      clientNumber: 55003,
      accountLength: 5,
      fiscalYearStart: '01-01',
      chartOfAccounts: '03',
    });
  });

  it.each([
    ['not json', /^FINANCE_ACCOUNTS: not valid JSON/],
    ['[]', /^FINANCE_ACCOUNTS: must be a JSON object/],
    ['{"revenue":"8200"}', /^FINANCE_ACCOUNTS: unknown key\(s\) revenue/],
    ['{"feeAccount":4970}', /^FINANCE_ACCOUNTS: feeAccount must be a string of digits/],
    ['{"feeAccount":"49700"}', /^FINANCE_ACCOUNTS: feeAccount has 5 digits; the account length \(DATEV_ACCOUNT_LENGTH\) is 4/],
    ['{"costCentre":"a-b"}', /^FINANCE_ACCOUNTS: costCentre/],
  ])('a bad FINANCE_ACCOUNTS (%s) fails the start naming the variable and the key', (value, message) => {
    expect(failure({ FINANCE_ACCOUNTS: value })).toMatch(message);
  });

  it('DATEV numbers go together, and a fiscal year cannot start on 29 February', () => {
    expect(failure({ DATEV_CONSULTANT_NUMBER: '29098' })).toMatch(/DATEV_CONSULTANT_NUMBER and DATEV_CLIENT_NUMBER go together/);
    expect(failure({ DATEV_CONSULTANT_NUMBER: '12' })).toMatch(/DATEV_CONSULTANT_NUMBER/);
    expect(failure({ DATEV_FISCAL_YEAR_START: '02-29' })).toMatch(/^DATEV_FISCAL_YEAR_START: 02-29/);
    expect(failure({ DATEV_FISCAL_YEAR_START: '13-01' })).toMatch(/DATEV_FISCAL_YEAR_START/);
  });
});
