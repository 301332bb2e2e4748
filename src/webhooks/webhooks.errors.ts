import { createErrorFactory } from '../shared/errors.ts';

export const createWebhookEventNotFoundError = createErrorFactory({
  code: 'webhook_event.not_found',
  status: 404,
  message: 'Webhook event not found',
});

export const createWebhookEventNotReplayableError = createErrorFactory({
  code: 'webhook_event.not_replayable',
  status: 409,
  message: 'Only a delivered or dead event can be replayed; this one is still being delivered',
});

export const createWebhookEndpointNotDisabledError = createErrorFactory({
  code: 'courier_webhook.not_disabled',
  status: 409,
  message: "The company's webhook endpoint is not disabled",
});

export const createOutboundEventTooLargeError = createErrorFactory({
  code: 'webhook_event.too_large',
  status: 500,
  message: 'An outbound event is larger than 64 KiB',
});
