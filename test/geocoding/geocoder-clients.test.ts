import { afterAll, beforeEach, describe, expect, test } from 'vitest';
import { GeocoderUnavailableError, withCache, type AddressQuery } from '../../src/geocoding/geocoder.ts';
import { createGeocoder } from '../../src/geocoding/geocoding.ts';
import { createNominatimGeocoder } from '../../src/geocoding/nominatim.ts';
import { createPhotonGeocoder } from '../../src/geocoding/photon.ts';
import { loadConfig, ConfigError } from '../../src/config/config.ts';
import { startGeocoderStandIn } from '../helpers/geocoder-stand-in.ts';

const KOENIGSTRASSE: AddressQuery = { street: 'Königstraße', houseNumber: '1', postalCode: '70173', city: 'Stuttgart' };
const standIn = await startGeocoderStandIn([
  { ...KOENIGSTRASSE, location: [9.1812, 48.7833] },
  { street: 'Schlossplatz', houseNumber: '99', postalCode: '70173', city: 'Stuttgart', location: [9.18, 48.778], precision: 'street' },
  { street: 'Irgendwo', houseNumber: '5', postalCode: '70000', city: 'Stuttgart', location: [9.17, 48.77], precision: 'city' },
]);
afterAll(() => standIn.close());
beforeEach(() => standIn.set({}));

const opts = { baseUrl: standIn.url, timeoutMs: 500, userAgent: 'Amtsbote/test (courier delivery platform)' };

describe.each([
  ['Nominatim', () => createNominatimGeocoder(opts), '/search'],
  ['Photon', () => createPhotonGeocoder(opts), '/api'],
] as const)('%s', (_name, make, path) => {
  test('a known address is found at its position, house-exact, with the platform named in the User-Agent', async () => {
    const before = standIn.requests.length;
    const found = await make().lookup(KOENIGSTRASSE);
    expect(found).toMatchObject({ location: [9.1812, 48.7833], confidence: 'house' });
    expect(found?.matched).toContain('Königstraße');
    const request = standIn.requests[before];
    expect(request?.path).toBe(path);
    expect(request?.headers['user-agent']).toBe('Amtsbote/test (courier delivery platform)');
  });

  test('asks in the documented wire format', async () => {
    await make().lookup(KOENIGSTRASSE);
    const q = standIn.requests.at(-1)?.query;
    if (path === '/search') {
      expect(Object.fromEntries(q ?? [])).toEqual({
        format: 'jsonv2',
        street: '1 Königstraße',
        postalcode: '70173',
        city: 'Stuttgart',
        countrycodes: 'de',
        limit: '1',
      });
    } else {
      expect(Object.fromEntries(q ?? [])).toEqual({ q: 'Königstraße 1, 70173 Stuttgart', limit: '1', lang: 'de' });
    }
  });

  test('an unknown address is null, not an error', async () => {
    expect(await make().lookup({ ...KOENIGSTRASSE, houseNumber: '999' })).toBeNull();
  });

  test('a match of only the street or only the town says so', async () => {
    expect((await make().lookup({ street: 'Schlossplatz', houseNumber: '99', postalCode: '70173', city: 'Stuttgart' }))?.confidence).toBe(
      'street',
    );
    expect((await make().lookup({ street: 'Irgendwo', houseNumber: '5', postalCode: '70000', city: 'Stuttgart' }))?.confidence).toBe(
      'area',
    );
  });

  test('a geocoder that does not answer in time is unavailable, not "not found"', async () => {
    standIn.set({ stallMs: 2_000 });
    const started = Date.now();
    await expect(make().lookup(KOENIGSTRASSE)).rejects.toBeInstanceOf(GeocoderUnavailableError);
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  test('an error status is unavailable, and the message names no address', async () => {
    standIn.set({ status: 503 });
    const err = await make()
      .lookup(KOENIGSTRASSE)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GeocoderUnavailableError);
    expect(String((err as Error).message)).toBe('geocoder unavailable: HTTP 503');
  });
});

describe('the cache', () => {
  test('the same address (in other spelling of case and spaces) is asked once; not-found is kept too', async () => {
    const geocoder = createGeocoder({ kind: 'photon', url: standIn.url, timeoutMs: 500 }, { version: 'test' });
    const before = standIn.requests.length;
    await geocoder?.lookup(KOENIGSTRASSE);
    await geocoder?.lookup({ ...KOENIGSTRASSE, street: ' königstraße ', city: 'STUTTGART' });
    await geocoder?.lookup({ ...KOENIGSTRASSE, houseNumber: '999' });
    await geocoder?.lookup({ ...KOENIGSTRASSE, houseNumber: '999' });
    expect(standIn.requests.length - before).toBe(2);
    expect(standIn.requests.at(-1)?.headers['user-agent']).toMatch(/^Amtsbote\/test /);
  });

  test('a failure is not kept: the next try asks again', async () => {
    const geocoder = withCache(createNominatimGeocoder(opts));
    standIn.set({ status: 500 });
    await expect(geocoder.lookup(KOENIGSTRASSE)).rejects.toBeInstanceOf(GeocoderUnavailableError);
    standIn.set({});
    expect(await geocoder.lookup(KOENIGSTRASSE)).toMatchObject({ confidence: 'house' });
  });

  test('it stays bounded: the least recently used address is dropped', async () => {
    let asked = 0;
    const geocoder = withCache(
      {
        lookup: async () => {
          asked++;
          return null;
        },
      },
      2,
    );
    for (const n of ['1', '2', '3', '1']) await geocoder.lookup({ ...KOENIGSTRASSE, houseNumber: n });
    expect(geocoder.size).toBe(2);
    expect(asked).toBe(4);
  });

  test('two requests for one address at once make one call', async () => {
    const geocoder = withCache(createPhotonGeocoder(opts));
    const before = standIn.requests.length;
    const [a, b] = await Promise.all([geocoder.lookup(KOENIGSTRASSE), geocoder.lookup(KOENIGSTRASSE)]);
    expect(a).toEqual(b);
    expect(standIn.requests.length - before).toBe(1);
  });
});

describe('configuration', () => {
  test('GEOCODER without GEOCODER_URL stops the start, naming the variable; unset means none', () => {
    expect(() => loadConfig({ GEOCODER: 'nominatim' })).toThrow(ConfigError);
    expect(() => loadConfig({ GEOCODER: 'nominatim' })).toThrow(/GEOCODER_URL/);
    expect(() => loadConfig({ GEOCODER_URL: 'http://x' })).toThrow(/GEOCODER/);
    expect(() => loadConfig({ GEOCODER: 'google', GEOCODER_URL: 'http://x' })).toThrow(/GEOCODER/);
    expect(loadConfig({}).geocoder).toBeNull();
    expect(loadConfig({ GEOCODER: 'photon', GEOCODER_URL: 'http://127.0.0.1:2322' }).geocoder).toEqual({
      kind: 'photon',
      url: 'http://127.0.0.1:2322',
      timeoutMs: 3_000,
    });
  });
});
