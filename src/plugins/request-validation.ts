import { Ajv, type Options, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyInstance, FastifySchema } from 'fastify';

/**
 * Request validation with two Ajv instances (the same Ajv and formats Fastify uses). Query strings,
 * path parameters and headers arrive as text, so they are coerced: `?limit=10` is a number and a
 * single `?status=paid` an array. A JSON body already carries its types, so nothing in it is
 * coerced: `"powerOfAttorney": "true"` is not the citizen's consent, `[null, null]` is not the
 * position 0,0 and `["9.17", "48.77"]` is not a position at all — each is a 400, as the OpenAPI
 * document says. Fastify's default compiler coerces every part alike.
 */
export function createRequestValidatorCompiler(app: FastifyInstance) {
  const common: Options = { useDefaults: true, removeAdditional: false, allErrors: false, addUsedSchema: false };
  const text = new Ajv({ ...common, coerceTypes: 'array' });
  const json = new Ajv({ ...common, coerceTypes: false });
  for (const ajv of [text, json]) addFormats.default(ajv);
  let sharedAdded = false;

  return ({ schema, httpPart }: { schema: FastifySchema; httpPart?: string }): ValidateFunction => {
    if (!sharedAdded) {
      // Schemas added with app.addSchema (referenced by $id) are known to both instances.
      for (const shared of Object.values(app.getSchemas())) for (const ajv of [text, json]) ajv.addSchema(shared as object);
      sharedAdded = true;
    }
    const ajv = httpPart === 'body' ? json : text;
    const id = (schema as { $id?: string }).$id;
    return storableTextOnly((id && ajv.getSchema(id)) || ajv.compile(schema as object));
  };
}

/** NUL, or half of a UTF-16 surrogate pair: text PostgreSQL cannot store (text or jsonb). */
// eslint-disable-next-line no-control-regex -- NUL is exactly what is looked for
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function findUnstorable(value: unknown, path: string): string | null {
  if (typeof value === 'string') return UNSTORABLE.test(value) ? path : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findUnstorable(value[i], `${path}/${i}`);
      if (found !== null) return found;
    }
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const found = findUnstorable(v, `${path}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`);
      if (found !== null) return found;
    }
  }
  return null;
}

/**
 * A schema-valid string may still hold characters the database refuses; without this check such
 * a value (JSON allows "\u0000") reached an INSERT or WHERE and came back as a 500.
 */
function storableTextOnly(validate: ValidateFunction): ValidateFunction {
  const wrapped = ((data: unknown) => {
    if (!validate(data)) {
      wrapped.errors = validate.errors;
      return false;
    }
    const path = findUnstorable(data, '');
    wrapped.errors =
      path === null
        ? null
        : [
            {
              instancePath: path,
              schemaPath: '',
              keyword: 'characters',
              params: {},
              message: 'must not contain NUL or unpaired surrogate characters',
            },
          ];
    return path === null;
  }) as ValidateFunction;
  return wrapped;
}
