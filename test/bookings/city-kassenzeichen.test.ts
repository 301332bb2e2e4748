import { describe, expect } from 'vitest';
import { formatKassenzeichen, isValidKassenzeichen } from '../../src/bookings/kassenzeichen.ts';
import { isValidKassenzeichenAnyFormat, parseKassenzeichenFormat, validateKassenzeichen } from '../../src/finance/kassenzeichen-format.ts';
import { platformTest } from '../helpers/platform-fixture.ts';
import { api, createPaidBooking, seedOffice } from '../helpers/test-platform.ts';

const CITY_FORMAT = 'KA-{prefix}-{yyyy}-{seq:9}{check:mod11}';
const test = platformTest({ env: { KASSENZEICHEN_FORMAT: CITY_FORMAT } });

describe("a city's own Kassenzeichen format", () => {
  test('bookings get the configured format; references of the old format still validate and are still found', async ({ p }) => {
    const { office } = await seedOffice(p.db);
    const format = parseKassenzeichenFormat(CITY_FORMAT);
    const { booking } = await createPaidBooking(p, office.id);
    expect(booking.kassenzeichen).toMatch(new RegExp(`^KA-${office.kassenzeichenPrefix}-\\d{4}-\\d{9}[0-9X]$`));
    expect(validateKassenzeichen(format, booking.kassenzeichen)).toBe(true);
    // What the finance office searches by.
    const finance = await p.staff(['finance'], office.id);
    const found = await api(p, 'GET', `/v1/payments?kassenzeichen=${booking.kassenzeichen}`, { headers: finance.headers });
    expect(found.body.data.map((row: { kassenzeichen: string }) => row.kassenzeichen)).toEqual([booking.kassenzeichen]);
    // A reference issued before the city changed its format.
    const before = formatKassenzeichen(office.kassenzeichenPrefix, 2026, 42);
    expect(isValidKassenzeichen(before)).toBe(true);
    expect(isValidKassenzeichenAnyFormat(before, [format])).toBe(true);
    expect(isValidKassenzeichenAnyFormat(booking.kassenzeichen, [format])).toBe(true);
  });
});
