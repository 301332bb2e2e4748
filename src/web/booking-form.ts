import type { MessageKey } from './i18n.ts';

/**
 * The booking forms' fields, read from an urlencoded body and checked field by field, so a page
 * can show each error next to its field (and the service's own checks stay the last word). Pure.
 */
export type FieldErrors = Partial<Record<string, { key: MessageKey; params?: Record<string, string | number> }>>;

export interface AddressForm {
  street: string;
  houseNumber: string;
  addressLine2: string;
  postalCode: string;
  city: string;
  zoneId: string;
  /** A map pin's position (hidden inputs the map script writes); null when none was set. */
  lng: number | null;
  lat: number | null;
}

export interface DetailsForm {
  quoteId: string;
  vehicleType: string;
  windows: { start: string; end: string }[];
  name: string;
  phone: string;
  email: string;
  documentType: string;
  applicationNumber: string;
  consent: boolean;
}

type Body = Record<string, unknown>;

const text = (body: Body, name: string) => {
  const v = body[name];
  return typeof v === 'string' ? v.trim() : '';
};
const many = (body: Body, name: string): string[] => {
  const v = body[name];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return typeof v === 'string' ? [v] : [];
};

function need(errors: FieldErrors, name: string, value: string, max: number) {
  if (value === '') errors[name] = { key: 'error.required' };
  else if (value.length > max) errors[name] = { key: 'error.tooLong', params: { max } };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A coordinate from a hidden input: a decimal number within bounds, else null (ignored). */
function coordinate(body: Body, name: string, limit: number): number | null {
  const raw = text(body, name);
  if (!/^-?[0-9]{1,3}(\.[0-9]{1,10})?$/.test(raw)) return null;
  const value = Number(raw);
  return Math.abs(value) <= limit ? value : null;
}

/**
 * `zoneRequired`: without a geocoder the address is placed by a zone (or a map pin); with one,
 * neither is needed (placeAddress decides).
 */
export function readAddressForm(body: Body, opts: { zoneRequired?: boolean } = {}): { form: AddressForm; errors: FieldErrors } {
  const form: AddressForm = {
    street: text(body, 'street'),
    houseNumber: text(body, 'houseNumber'),
    addressLine2: text(body, 'addressLine2'),
    postalCode: text(body, 'postalCode'),
    city: text(body, 'city'),
    zoneId: text(body, 'zoneId'),
    lng: coordinate(body, 'lng', 180),
    lat: coordinate(body, 'lat', 90),
  };
  if (form.lng === null || form.lat === null) form.lng = form.lat = null;
  const errors: FieldErrors = {};
  need(errors, 'street', form.street, 120);
  need(errors, 'houseNumber', form.houseNumber, 16);
  if (form.addressLine2.length > 120) errors.addressLine2 = { key: 'error.tooLong', params: { max: 120 } };
  if (!/^[0-9]{5}$/.test(form.postalCode)) errors.postalCode = { key: 'error.postalCode' };
  need(errors, 'city', form.city, 80);
  if (form.zoneId !== '' && !UUID.test(form.zoneId)) errors.zoneId = { key: 'error.chooseArea' };
  else if ((opts.zoneRequired ?? true) && form.zoneId === '' && form.lng === null) errors.zoneId = { key: 'error.chooseArea' };
  return { form, errors };
}

/** A window the citizen ticked is `start|end` of a span the quote offered (checked again by the service). */
const WINDOW = /^(\d{4}-\d{2}-\d{2}T[\d:.]+Z)\|(\d{4}-\d{2}-\d{2}T[\d:.]+Z)$/;

export function readDetailsForm(body: Body): { form: DetailsForm; errors: FieldErrors } {
  const windows = many(body, 'window')
    .slice(0, 10)
    .map((w) => WINDOW.exec(w))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ start: m[1] ?? '', end: m[2] ?? '' }));
  const form: DetailsForm = {
    quoteId: text(body, 'quoteId'),
    vehicleType: text(body, 'vehicleType'),
    windows,
    name: text(body, 'name'),
    phone: text(body, 'phone'),
    email: text(body, 'email'),
    documentType: text(body, 'documentType'),
    applicationNumber: text(body, 'applicationNumber').toUpperCase(),
    consent: text(body, 'consent') === 'yes',
  };
  const errors: FieldErrors = {};
  if (!UUID.test(form.quoteId)) errors.quoteId = { key: 'error.generic' };
  if (form.vehicleType !== 'bike' && form.vehicleType !== 'ecar') errors.vehicleType = { key: 'error.chooseVehicle' };
  if (windows.length < 1 || windows.length > 3) errors.window = { key: 'error.chooseDays' };
  need(errors, 'name', form.name, 200);
  if (!/^\+?[0-9 ()/-]{6,30}$/.test(form.phone)) errors.phone = { key: 'error.phone' };
  if (form.email !== '' && (form.email.length > 254 || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(form.email)))
    errors.email = { key: 'error.email' };
  if (!['id_card', 'eid_card', 'passport', 'child_passport'].includes(form.documentType)) errors.documentType = { key: 'error.required' };
  if (!/^[A-Z0-9-]{4,32}$/.test(form.applicationNumber)) errors.applicationNumber = { key: 'error.applicationNumber' };
  if (!form.consent) errors.consent = { key: 'error.consent' };
  return { form, errors };
}

export const hasErrors = (errors: FieldErrors) => Object.keys(errors).length > 0;
