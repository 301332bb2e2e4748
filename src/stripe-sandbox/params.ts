import { parameterInvalid, parameterInvalidEmpty, parameterInvalidInteger, parameterMissing, parameterUnknown } from './errors.ts';
import type { FormObject, FormValue } from './form.ts';

/**
 * Typed, Stripe-worded validation of decoded form parameters. Every endpoint declares the
 * parameters it accepts, so a typo in the platform's code fails loudly with `parameter_unknown`
 * here instead of being silently ignored and only failing against the real Stripe.
 */

export type MetadataInput = Record<string, string>;

const MAX_METADATA_KEYS = 50;
const MAX_METADATA_KEY_LENGTH = 40;
const MAX_METADATA_VALUE_LENGTH = 500;

function describeList(values: readonly string[]): string {
  if (values.length <= 1) return values.join('');
  return `${values.slice(0, -1).join(', ')}, or ${values[values.length - 1]}`;
}

export class ParamReader {
  private readonly values: FormObject;
  private readonly prefix: string;

  private constructor(values: FormObject, prefix: string) {
    this.values = values;
    this.prefix = prefix;
  }

  /** Reader that rejects any parameter not in `allowed` (`expand` is always allowed at the top). */
  static strict(values: FormObject, allowed: readonly string[], prefix = ''): ParamReader {
    const permitted = new Set(prefix === '' ? [...allowed, 'expand'] : allowed);
    for (const key of Object.keys(values)) {
      if (!permitted.has(key)) throw parameterUnknown(prefix === '' ? key : `${prefix}[${key}]`);
    }
    return new ParamReader(values, prefix);
  }

  name(key: string): string {
    return this.prefix === '' ? key : `${this.prefix}[${key}]`;
  }

  has(key: string): boolean {
    return Object.hasOwn(this.values, key);
  }

  private raw(key: string): FormValue | undefined {
    return this.has(key) ? this.values[key] : undefined;
  }

  private scalar(key: string): string | undefined {
    const value = this.raw(key);
    if (value === undefined || typeof value === 'string') return value;
    throw parameterInvalid(this.name(key), `Invalid string: ${this.name(key)} must be a string, not an object or array.`);
  }

  optionalString(key: string, options: { maxLength?: number } = {}): string | undefined {
    const value = this.scalar(key);
    if (value === undefined) return undefined;
    if (value === '') throw parameterInvalidEmpty(this.name(key));
    if (options.maxLength !== undefined && value.length > options.maxLength) {
      throw parameterInvalid(
        this.name(key),
        `Invalid string: ${value.slice(0, 30)}...; must be at most ${options.maxLength} characters`,
        'string_length_exceeds_maximum',
      );
    }
    return value;
  }

  /** Like optionalString, but `''` is returned as `null`: Stripe's way of unsetting a field. */
  optionalNullableString(key: string, options: { maxLength?: number } = {}): string | null | undefined {
    if (this.scalar(key) === '') return null;
    return this.optionalString(key, options);
  }

  requiredString(key: string, options: { maxLength?: number } = {}): string {
    const value = this.optionalString(key, options);
    if (value === undefined) throw parameterMissing(this.name(key));
    return value;
  }

  optionalInteger(key: string, options: { min?: number; max?: number } = {}): number | undefined {
    const value = this.scalar(key);
    if (value === undefined) return undefined;
    if (value === '') throw parameterInvalidEmpty(this.name(key));
    if (!/^-?\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
      throw parameterInvalidInteger(this.name(key), value);
    }
    const parsed = Number(value);
    if (options.min !== undefined && parsed < options.min) {
      throw parameterInvalid(this.name(key), `This value must be greater than or equal to ${options.min}.`, 'parameter_invalid_integer');
    }
    if (options.max !== undefined && parsed > options.max) {
      throw parameterInvalid(this.name(key), `This value must be less than or equal to ${options.max}.`, 'parameter_invalid_integer');
    }
    return parsed;
  }

  requiredInteger(key: string, options: { min?: number; max?: number } = {}): number {
    const value = this.optionalInteger(key, options);
    if (value === undefined) throw parameterMissing(this.name(key));
    return value;
  }

  optionalBoolean(key: string): boolean | undefined {
    const value = this.scalar(key);
    if (value === undefined) return undefined;
    if (value === 'true') return true;
    if (value === 'false') return false;
    throw parameterInvalid(this.name(key), `Invalid boolean: ${value}`);
  }

  optionalEnum<T extends string>(key: string, allowed: readonly T[]): T | undefined {
    const value = this.optionalString(key);
    if (value === undefined) return undefined;
    if (!(allowed as readonly string[]).includes(value)) {
      throw parameterInvalid(this.name(key), `Invalid ${this.name(key)}: must be one of ${describeList(allowed)}`);
    }
    return value as T;
  }

  optionalStringArray(key: string): string[] | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    // stripe-node sends an empty array as `key=` (Emptyable); treat it as "no entries".
    if (value === '') return [];
    if (!Array.isArray(value) || !value.every((entry): entry is string => typeof entry === 'string')) {
      throw parameterInvalid(this.name(key), `Invalid array: ${this.name(key)} must be an array of strings.`);
    }
    return value;
  }

  /**
   * Nested hash parameter, itself strictly validated against `allowed`. With `allowScalar`
   * a plain value (e.g. `created=123` instead of `created[gte]=123`) yields undefined.
   */
  optionalObject(key: string, allowed: readonly string[], options: { allowScalar?: boolean } = {}): ParamReader | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    if (typeof value === 'string' && options.allowScalar) return undefined;
    if (typeof value === 'string' || Array.isArray(value)) {
      throw parameterInvalid(this.name(key), `Invalid object: ${this.name(key)} must be a hash.`);
    }
    return ParamReader.strict(value, allowed, this.name(key));
  }

  /**
   * An array of hashes (`line_items[0][quantity]=1`), each strictly validated against `allowed`.
   * Undefined when absent; an empty array when stripe-node sent `key=` (an empty list).
   */
  optionalObjectArray(key: string, allowed: readonly string[]): ParamReader[] | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    if (value === '') return [];
    if (!Array.isArray(value)) throw parameterInvalid(this.name(key), `Invalid array: ${this.name(key)} must be an array of hashes.`);
    return value.map((entry, index) => {
      const name = `${this.name(key)}[${index}]`;
      if (typeof entry === 'string' || Array.isArray(entry)) throw parameterInvalid(name, `Invalid object: ${name} must be a hash.`);
      return ParamReader.strict(entry, allowed, name);
    });
  }

  /**
   * Stripe metadata: string values only, ≤50 keys of ≤40 characters, values ≤500 characters.
   * Returns `null` for `metadata=''` (unset all) and keeps `''` values (unset one key on update).
   */
  optionalMetadata(key = 'metadata'): MetadataInput | null | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    if (value === '') return null;
    if (typeof value === 'string' || Array.isArray(value)) {
      throw parameterInvalid(this.name(key), `Invalid object: ${this.name(key)} must be a hash of strings.`);
    }
    const entries = Object.entries(value);
    if (entries.length > MAX_METADATA_KEYS) {
      throw parameterInvalid(this.name(key), `You can have up to ${MAX_METADATA_KEYS} metadata keys.`);
    }
    const result: MetadataInput = {};
    for (const [metaKey, metaValue] of entries) {
      const param = `${this.name(key)}[${metaKey}]`;
      if (typeof metaValue !== 'string') throw parameterInvalid(param, `Metadata values must be strings (${param}).`);
      if (metaKey.length > MAX_METADATA_KEY_LENGTH) {
        throw parameterInvalid(param, `Metadata keys can have up to ${MAX_METADATA_KEY_LENGTH} characters.`);
      }
      if (metaValue.length > MAX_METADATA_VALUE_LENGTH) {
        throw parameterInvalid(
          param,
          `Metadata values can have up to ${MAX_METADATA_VALUE_LENGTH} characters, but you passed in a value that is ${metaValue.length} characters.`,
        );
      }
      result[metaKey] = metaValue;
    }
    return result;
  }

  expand(): string[] {
    return this.optionalStringArray('expand') ?? [];
  }
}

/** Applies a metadata update the way Stripe does: merge keys, `''` deletes a key, `null` clears all. */
export function mergeMetadata(current: Record<string, string>, update: MetadataInput | null | undefined): Record<string, string> {
  if (update === undefined) return current;
  if (update === null) return {};
  const merged = { ...current };
  for (const [key, value] of Object.entries(update)) {
    if (value === '') delete merged[key];
    else merged[key] = value;
  }
  return merged;
}
