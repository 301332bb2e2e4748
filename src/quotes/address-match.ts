import { sha256Hex } from '../shared/tokens.ts';

export interface AddressLike {
  street: string;
  houseNumber: string;
  postalCode: string;
  city: string;
}

/**
 * The same address written twice need not be the same string: "Königstraße 1 A", "königstr. 1a"
 * and "Koenigstrasse 1a" are one door. Normalised: Unicode-compatible, lower case, umlauts and ß
 * spelled out, "straße/strasse/str." as "str", punctuation and spaces removed. Pure.
 */
export function normalizeAddressPart(value: string): string {
  return value
    .normalize('NFKC')
    .toLowerCase()
    .replace(/ä/g, 'ae')
    .replace(/ö/g, 'oe')
    .replace(/ü/g, 'ue')
    .replace(/ß/g, 'ss')
    .replace(/strasse\b|str\./g, 'str')
    .replace(/[^\p{L}\p{N}]+/gu, '');
}

/**
 * A fingerprint of the address a quote was made for (street, house number, postal code, city;
 * not the second line, which names a flat or a "c/o" and does not move the door). A booking must
 * carry an address with the same fingerprint: the position priced is the position delivered to.
 */
export function addressFingerprint(address: AddressLike): string {
  return sha256Hex(
    [address.street, address.houseNumber, address.postalCode, address.city].map((part) => normalizeAddressPart(part)).join('|'),
  );
}

export const sameCity = (a: string, b: string) => normalizeAddressPart(a) === normalizeAddressPart(b);

/** "70173–70199, 70327" style summary of a sorted list of postal codes, for error messages. */
export function describePostalCodes(codes: readonly string[], max = 12): string {
  const sorted = [...codes].sort();
  const shown = sorted.slice(0, max).join(', ');
  return sorted.length > max ? `${shown} and ${sorted.length - max} more` : shown;
}
