import { access } from '../plugins/access.plugin.ts';
import { RATE_LIMITS } from '../plugins/rate-limit.plugin.ts';
import type { App } from '../shared/app-types.ts';
import { errorResponses } from '../shared/schemas.ts';
import { CreateQuoteBody, QuoteSchema } from './quotes.schemas.ts';
import type { createQuotesService } from './quotes.service.ts';

export async function quotesRoutes(app: App, opts: { quotes: ReturnType<typeof createQuotesService> }) {
  app.post(
    '/v1/quotes',
    {
      config: { access: access.public(), rateLimit: RATE_LIMITS.citizen },
      schema: {
        operationId: 'createQuote',
        tags: ['bookings'],
        summary: 'Price delivery to an address',
        description:
          "Finds the office's service zones that contain the location (GeoJSON [lng, lat]) and returns the vehicles that may deliver there with their prices. The quote expires; book from it before then.",
        body: CreateQuoteBody,
        response: { 201: QuoteSchema, ...errorResponses(400, 404, 409, 422) },
      },
    },
    async (request, reply) => {
      const { quote, deliverySlots } = await opts.quotes.createQuote(request.body);
      return reply.status(201).send({
        id: quote.id,
        officeId: quote.officeId,
        location: quote.location,
        options: quote.options.map((o) => ({ vehicleType: o.vehicleType, amountCents: o.amountCents, currency: o.currency })),
        expiresAt: quote.expiresAt.toISOString(),
        deliverySlots,
      });
    },
  );
}
