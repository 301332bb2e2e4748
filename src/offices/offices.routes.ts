import { Type } from '@sinclair/typebox';
import { access } from '../plugins/access.plugin.ts';
import type { App } from '../shared/app-types.ts';
import { IdSchema, LngLatSchema } from '../shared/schemas.ts';
import type { createOfficesRepository } from './offices.repository.ts';

const OfficeSchema = Type.Object({ id: IdSchema, slug: Type.String({ maxLength: 64 }), name: Type.String({ maxLength: 200 }), addressLine: Type.String({ maxLength: 300 }), location: LngLatSchema });

export async function officesRoutes(app: App, opts: { offices: ReturnType<typeof createOfficesRepository> }) {
  app.get('/v1/offices', {
    config: { access: access.public() },
    schema: { operationId: 'listOffices', tags: ['offices'], summary: 'Citizen offices that offer delivery', response: { 200: Type.Object({ data: Type.Array(OfficeSchema) }) } },
  }, async () => ({
    data: (await opts.offices.list()).map((o) => ({ id: o.id, slug: o.slug, name: o.name, addressLine: o.addressLine, location: o.location })),
  }));
}
