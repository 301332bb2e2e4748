import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

export const swaggerPlugin = fp(
  async (app: FastifyInstance, opts: { version: string; sandbox: boolean }) => {
    await app.register(swagger, {
      // Shared schemas keep their own names in the document (ErrorResponse, not def-0).
      refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'Amtsbote API',
          version: opts.version,
          description:
            'Courier delivery of ID documents for citizen offices: quotes, bookings with a Stripe surcharge, tracking, document arrival, staff sign-in.\n\n' +
            'Errors always have the shape `{ "error": { "code", "message", "requestId" } }`. Money is integer euro cents; times are UTC (ISO 8601); positions are GeoJSON `[lng, lat]`.\n\n' +
            'Map data © OpenStreetMap contributors (ODbL).',
          license: { name: 'Proprietary' },
        },
        tags: [
          { name: 'bookings', description: 'Quotes, bookings, cancellation, document arrival' },
          { name: 'tracking', description: "The citizen's view of a booking" },
          { name: 'offices', description: 'Citizen offices' },
          { name: 'staff', description: 'Staff sign-in and accounts' },
          { name: 'couriers', description: 'Courier companies: the registry, and what a company does with its key' },
          { name: 'finance', description: 'Payments, refunds, disputes and discrepancies for the finance office' },
          { name: 'webhooks', description: 'Events from Stripe' },
          { name: 'privacy', description: "The citizen's data rights (GDPR): what the platform holds about a recipient" },
          { name: 'health', description: 'Liveness and readiness' },
        ],
        components: {
          securitySchemes: {
            staffBearer: { type: 'http', scheme: 'bearer', description: 'Token from signIn' },
            trackingToken: { type: 'apiKey', in: 'header', name: 'Tracking-Token', description: "The citizen's tracking token" },
            courierApiKey: { type: 'http', scheme: 'bearer', description: "A courier company's API key (ab_courier_…)" },
          },
        },
      },
    });
    await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list', deepLinking: true } });
  },
  { name: 'swagger' },
);
