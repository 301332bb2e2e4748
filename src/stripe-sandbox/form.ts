import { parameterInvalid } from './errors.ts';

/**
 * Decoder for Stripe's bracket-encoded form bodies and query strings, the format stripe-node
 * produces (`metadata[booking]=b1`, `expand[0]=latest_charge`, `a[b][c]=v`). Written here instead
 * of pulling in `qs` because the subset is small and this keeps the sandbox dependency-free.
 */

export type FormValue = string | FormValue[] | FormObject;
export interface FormObject {
  [key: string]: FormValue;
}

const MAX_PAIRS = 1_000;
const MAX_DEPTH = 6;
// Keys that would reach Object.prototype when used as property names on plain objects.
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Intermediate tree: arrays are collected as objects with numeric keys and converted at the end. */
interface RawNode {
  [key: string]: RawNode | string;
}

function decodeComponent(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    throw parameterInvalid(text, `Invalid URL encoding: ${text}`);
  }
}

/** Splits `a[b][]` into `['a', 'b', '']`. */
function splitKey(key: string): string[] {
  const open = key.indexOf('[');
  if (open <= 0) return [key];
  const segments = [key.slice(0, open)];
  const pattern = /\[([^\]]*)\]/g;
  let consumed = open;
  for (let match = pattern.exec(key); match !== null; match = pattern.exec(key)) {
    if (match.index !== consumed) break;
    segments.push(match[1] ?? '');
    consumed = match.index + match[0].length;
  }
  if (consumed !== key.length) throw parameterInvalid(key, `Invalid parameter name: ${key}`);
  return segments;
}

function nextIndex(node: RawNode): string {
  return String(Object.keys(node).length);
}

function insert(root: RawNode, segments: string[], value: string, fullKey: string): void {
  if (segments.length > MAX_DEPTH) throw parameterInvalid(fullKey, `Parameter nested too deeply: ${fullKey}`);
  let node = root;
  segments.forEach((rawSegment, index) => {
    const segment = rawSegment === '' ? nextIndex(node) : rawSegment;
    if (FORBIDDEN_KEYS.has(segment)) throw parameterInvalid(fullKey, `Invalid parameter name: ${fullKey}`);
    const isLast = index === segments.length - 1;
    const existing = Object.hasOwn(node, segment) ? node[segment] : undefined;
    if (isLast) {
      if (typeof existing === 'object') throw parameterInvalid(fullKey, `Invalid object: ${fullKey}`);
      node[segment] = value;
      return;
    }
    if (typeof existing === 'string') throw parameterInvalid(fullKey, `Invalid object: ${fullKey}`);
    const child: RawNode = existing ?? {};
    node[segment] = child;
    node = child;
  });
}

function isArrayLike(node: RawNode): boolean {
  const keys = Object.keys(node);
  return keys.length > 0 && keys.every((key) => /^\d+$/.test(key));
}

function convert(value: RawNode | string): FormValue {
  if (typeof value === 'string') return value;
  if (isArrayLike(value)) {
    return Object.entries(value)
      .sort(([a], [b]) => Number(a) - Number(b))
      .map(([, item]) => convert(item));
  }
  return convertObject(value);
}

// The top level is always an object, even if every key happens to be numeric.
function convertObject(node: RawNode): FormObject {
  const result: FormObject = {};
  for (const [key, value] of Object.entries(node)) result[key] = convert(value);
  return result;
}

/** Decodes `application/x-www-form-urlencoded` text (body or query string without `?`). */
export function decodeForm(text: string): FormObject {
  const root: RawNode = {};
  if (text.trim() === '') return {};
  const pairs = text.split('&').filter((pair) => pair !== '');
  if (pairs.length > MAX_PAIRS) throw parameterInvalid('body', `Too many parameters (more than ${MAX_PAIRS}).`);
  for (const pair of pairs) {
    const equals = pair.indexOf('=');
    const key = decodeComponent(equals === -1 ? pair : pair.slice(0, equals));
    const value = equals === -1 ? '' : decodeComponent(pair.slice(equals + 1));
    if (key === '') continue;
    insert(root, splitKey(key), value, key);
  }
  return convertObject(root);
}

/** Stable text form of decoded parameters, used to compare idempotent requests. */
export function fingerprintForm(value: FormValue): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(fingerprintForm).join(',')}]`;
  // Sorted by UTF-16 code units, as `Array.prototype.sort()` orders strings.
  const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${fingerprintForm(item)}`).join(',')}}`;
}
