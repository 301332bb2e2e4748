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
    return (id && ajv.getSchema(id)) || ajv.compile(schema as object);
  };
}
