import { describe, expect, it } from 'vitest';
import { addressFingerprint, describePostalCodes, normalizeAddressPart, sameCity } from '../../src/quotes/address-match.ts';

const base = { street: 'Königstraße', houseNumber: '1 A', postalCode: '70173', city: 'Stuttgart' };

describe('the quoted address and the booked address are the same door', () => {
  it('spellings of one address share a fingerprint', () => {
    for (const variant of [
      { ...base, street: 'Königstr.', houseNumber: '1a' },
      { ...base, street: 'Koenigstrasse', houseNumber: '1-A' },
      { ...base, street: '  KÖNIGSTRASSE ', city: 'stuttgart' },
    ]) {
      expect(addressFingerprint(variant), JSON.stringify(variant)).toBe(addressFingerprint(base));
    }
  });

  it('another house number, street, postal code or city is another fingerprint', () => {
    for (const other of [
      { ...base, houseNumber: '2' },
      { ...base, street: 'Schlossplatz' },
      { ...base, postalCode: '80331' },
      { ...base, city: 'München' },
    ]) {
      expect(addressFingerprint(other), JSON.stringify(other)).not.toBe(addressFingerprint(base));
    }
  });

  it('normalises case, umlauts, ß and punctuation', () => {
    expect(normalizeAddressPart('Große Str. 5')).toBe('grossestr5');
    expect(sameCity('Bad Cannstatt', 'bad-cannstatt')).toBe(true);
    expect(sameCity('Stuttgart', 'Esslingen')).toBe(false);
  });

  it('summarises long postal code lists for an error message', () => {
    expect(describePostalCodes(['70174', '70173'])).toBe('70173, 70174');
    expect(
      describePostalCodes(
        Array.from({ length: 14 }, (_, i) => String(70100 + i)),
        12,
      ),
    ).toMatch(/and 2 more$/);
  });
});
