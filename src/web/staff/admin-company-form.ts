import { Ajv, type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import type { CourierCompanyInput } from '../../couriers/couriers.service.ts';
import { CreateCourierCompanyBody, RotateSecretBody, UpdateCourierCompanyBody } from '../../couriers/couriers.schemas.ts';
import type { CourierCompany, CourierCompanyStatus } from '../../couriers/couriers.table.ts';
import type { VehicleType } from '../../offices/offices.table.ts';
import type { MessageKey } from '../i18n.ts';
import { formText } from './staff-session.ts';

type Body = Record<string, unknown>;
export type FieldError = { key: MessageKey; params?: Record<string, string | number> };
export type FieldErrors = Record<string, FieldError>;

/** What the registration form sends back to itself: every field as typed, so a refused form keeps it. */
export interface CompanyForm {
  name: string;
  vehicleTypes: string[];
  zoneIds: string[];
  pricePerDelivery: string;
  pricePerFailedAttempt: string;
  contactName: string;
  contactEmail: string;
  contactPhone: string;
  webhookUrl: string;
}

export const EMPTY_COMPANY_FORM: CompanyForm = {
  name: '',
  vehicleTypes: [],
  zoneIds: [],
  pricePerDelivery: '',
  pricePerFailedAttempt: '',
  contactName: '',
  contactEmail: '',
  contactPhone: '',
  webhookUrl: '',
};

// The API's own schema, checked by the same Ajv and formats as the JSON route (request-validation.ts):
// a form the page accepts is a body the API would accept, and the other way round.
const ajv = new Ajv({ allErrors: true, coerceTypes: false, useDefaults: true });
addFormats.default(ajv);
const validateCompany = ajv.compile(CreateCourierCompanyBody);
const validateOverlap = ajv.compile(RotateSecretBody);

/** NUL or half a surrogate pair: the API refuses them (the database cannot store them), so the page does too. */
// eslint-disable-next-line no-control-regex -- NUL is exactly what is looked for
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** A repeated form field (checkboxes) as a list of strings; one ticked box arrives as a plain string. */
const listOf = (v: unknown, max: number) =>
  (Array.isArray(v) ? v : typeof v === 'string' ? [v] : [])
    .filter((s): s is string => typeof s === 'string')
    .map((s) => s.trim().slice(0, 64))
    .filter((s) => s !== '')
    .slice(0, max);

/** An amount in euros as people type it ("6", "6,5", "6,50", "6.50") in cents; null if it is none. */
export function eurosToCents(text: string): number | null {
  const m = /^(\d{1,7})(?:[.,](\d{1,2}))?$/.exec(text.replace(/\s|€/g, ''));
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] ?? '0').padEnd(2, '0'));
}

export function readCompanyForm(body: Body): CompanyForm {
  return {
    name: formText(body.name, 200),
    vehicleTypes: listOf(body.vehicleTypes, 5),
    zoneIds: listOf(body.zoneIds, 200),
    pricePerDelivery: formText(body.pricePerDelivery, 20),
    pricePerFailedAttempt: formText(body.pricePerFailedAttempt, 20),
    // Not cut to the limit: a longer value is refused with the limit named, not silently shortened.
    contactName: formText(body.contactName, 400),
    contactEmail: formText(body.contactEmail, 400),
    contactPhone: formText(body.contactPhone, 60),
    webhookUrl: formText(body.webhookUrl, 2100),
  };
}

/** The schema's complaint about one field, in the page's words. */
function messageFor(field: string, errors: ErrorObject[]): FieldError {
  const limit = errors.find((e) => e.keyword === 'maxLength');
  if (limit) return { key: 'error.tooLong', params: { max: Number((limit.params as { limit: number }).limit) } };
  switch (field) {
    case 'vehicleTypes':
      return { key: 'adm.form.chooseVehicle' };
    case 'zoneIds':
      return { key: 'adm.form.chooseZone' };
    case 'pricePerDelivery':
    case 'pricePerFailedAttempt':
      return { key: 'adm.form.priceRange' };
    case 'contactEmail':
      return { key: 'error.email' };
    case 'contactPhone':
      return { key: 'error.phone' };
    case 'webhookUrl':
      return { key: 'adm.form.webhookUrl' };
    default:
      return { key: 'error.required' };
  }
}

/** Where in the form a schema path of the body is. */
const FIELD_OF_PATH: Record<string, string> = {
  name: 'name',
  vehicleTypes: 'vehicleTypes',
  zoneIds: 'zoneIds',
  pricePerDeliveryCents: 'pricePerDelivery',
  pricePerFailedAttemptCents: 'pricePerFailedAttempt',
  'contact/name': 'contactName',
  'contact/email': 'contactEmail',
  'contact/phone': 'contactPhone',
  webhookUrl: 'webhookUrl',
};
const fieldOf = (instancePath: string) => {
  const [first, second] = instancePath.split('/').filter(Boolean);
  return first === 'contact' ? FIELD_OF_PATH[`contact/${second ?? ''}`] : FIELD_OF_PATH[first ?? ''];
};

/**
 * The registration form as the API's body, or the errors tied to their fields. Empty required
 * fields and unreadable amounts are named before the schema is asked, so each gets its own words.
 */
export function companyInputOf(form: CompanyForm): { input: CourierCompanyInput; errors: null } | { input: null; errors: FieldErrors } {
  const errors: FieldErrors = {};
  for (const field of ['name', 'pricePerDelivery', 'pricePerFailedAttempt', 'contactName', 'contactEmail'] as const)
    if (form[field] === '') errors[field] = { key: 'error.required' };
  for (const [field, value] of Object.entries(form))
    if ((Array.isArray(value) ? value : [value]).some((v: string) => UNSTORABLE.test(v))) errors[field] = { key: 'adm.form.characters' };
  const cents = {
    pricePerDelivery: eurosToCents(form.pricePerDelivery),
    pricePerFailedAttempt: eurosToCents(form.pricePerFailedAttempt),
  };
  for (const field of ['pricePerDelivery', 'pricePerFailedAttempt'] as const)
    if (!errors[field] && cents[field] === null) errors[field] = { key: 'adm.form.price' };

  const input = {
    name: form.name,
    vehicleTypes: form.vehicleTypes as VehicleType[],
    zoneIds: form.zoneIds,
    pricePerDeliveryCents: cents.pricePerDelivery ?? 0,
    pricePerFailedAttemptCents: cents.pricePerFailedAttempt ?? 0,
    contact: { name: form.contactName, email: form.contactEmail, ...(form.contactPhone ? { phone: form.contactPhone } : {}) },
    webhookUrl: form.webhookUrl === '' ? null : form.webhookUrl,
  };
  if (!validateCompany(input)) {
    const byField = new Map<string, ErrorObject[]>();
    for (const e of validateCompany.errors ?? []) {
      const field = fieldOf(e.instancePath);
      if (field) byField.set(field, [...(byField.get(field) ?? []), e]);
    }
    for (const [field, list] of byField) errors[field] ??= messageFor(field, list);
  }
  if (Object.keys(errors).length === 0) return { input, errors: null };
  // In the form's order, so the summary at the top reads like the form below it.
  const ordered = Object.fromEntries(
    (Object.keys(EMPTY_COMPANY_FORM) as (keyof CompanyForm)[]).flatMap((f) => (errors[f] ? [[f, errors[f]]] : [])),
  ) as FieldErrors;
  return { input: null, errors: ordered };
}

/** The overlap of a signing-secret rotation in whole hours, within the API's limits (0–720). */
export function overlapHoursOf(text: string): number | null {
  if (!/^\d{1,4}$/.test(text)) return null;
  const body = { overlapHours: Number(text) };
  return validateOverlap(body) ? body.overlapHours : null;
}

const validateUpdate = ajv.compile(UpdateCourierCompanyBody);
export const COMPANY_STATUSES = ['active', 'suspended'] as const satisfies readonly CourierCompanyStatus[];

/** The status and webhook form of a company page, as typed. */
export interface UpdateForm {
  status: string;
  webhookUrl: string;
}

export const updateFormOf = (company: CourierCompany): UpdateForm => ({ status: company.status, webhookUrl: company.webhookUrl ?? '' });

/**
 * Only what changed goes to updateCompany: sending the webhook URL, even unchanged, re-opens an
 * endpoint a 410 disabled, which is the admin's decision only when the address is new.
 */
export function companyUpdateOf(
  form: UpdateForm,
  company: CourierCompany,
): { changes: { status?: CourierCompanyStatus; webhookUrl?: string | null }; errors: null } | { changes: null; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const status = (COMPANY_STATUSES as readonly string[]).includes(form.status) ? (form.status as CourierCompanyStatus) : null;
  if (!status) errors.companyStatus = { key: 'adm.update.chooseStatus' };
  const webhookUrl = form.webhookUrl === '' ? null : form.webhookUrl;
  const changes = {
    ...(status && status !== company.status ? { status } : {}),
    ...(webhookUrl !== company.webhookUrl ? { webhookUrl } : {}),
  };
  if (UNSTORABLE.test(form.webhookUrl)) errors.webhookUrl = { key: 'adm.form.characters' };
  else if (changes.webhookUrl !== undefined && !validateUpdate({ webhookUrl: changes.webhookUrl }))
    errors.webhookUrl = messageFor('webhookUrl', validateUpdate.errors ?? []);
  return Object.keys(errors).length > 0 ? { changes: null, errors } : { changes, errors: null };
}
