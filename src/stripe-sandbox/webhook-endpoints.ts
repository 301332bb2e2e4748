import type Stripe from 'stripe';
import { requireObject, type SandboxContext } from './context.ts';
import { parameterInvalid } from './errors.ts';
import { isSubscribed, SANDBOX_EVENT_TYPES } from './events.ts';
import type { FormObject } from './form.ts';
import { generateWebhookSecret } from './ids.ts';
import { LIST_PARAMS, paginate } from './lists.ts';
import { buildWebhookEndpoint } from './objects.ts';
import { mergeMetadata, ParamReader } from './params.ts';
import type { StoredWebhookEndpoint } from './store.ts';
import type { DeliveryTarget } from './webhooks.ts';

/**
 * Webhook endpoints, both those passed to the factory and those created through
 * POST /v1/webhook_endpoints. As on Stripe, the signing secret is returned only on creation.
 */

export interface NewWebhookEndpoint {
  url: string;
  secret?: string;
  enabledEvents?: string[];
  description?: string | null;
  metadata?: Record<string, string>;
  apiVersion?: string | null;
}

function validateUrl(url: string, param: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw parameterInvalid(param, `Invalid URL: ${url}`, 'url_invalid');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw parameterInvalid(param, `Invalid URL: ${url}. The URL must use http or https.`, 'url_invalid');
  }
  return url;
}

function validateEnabledEvents(events: string[]): string[] {
  const known = new Set<string>(['*', ...SANDBOX_EVENT_TYPES]);
  const unknown = events.find((event) => !known.has(event));
  if (unknown !== undefined) {
    throw parameterInvalid(
      'enabled_events',
      `Invalid enabled_events: ${unknown}. The offline Stripe sandbox emits only: ${SANDBOX_EVENT_TYPES.join(', ')} (or '*').`,
    );
  }
  return events;
}

/** Secret-free view, as Stripe returns endpoints after creation. */
function present(endpoint: StoredWebhookEndpoint): Stripe.WebhookEndpoint {
  const { secret: _secret, ...visible } = endpoint;
  return visible;
}

export function addWebhookEndpoint(ctx: SandboxContext, input: NewWebhookEndpoint): StoredWebhookEndpoint {
  const endpoint: StoredWebhookEndpoint = {
    ...buildWebhookEndpoint(
      {
        url: validateUrl(input.url, 'url'),
        enabledEvents: validateEnabledEvents(input.enabledEvents ?? ['*']),
        description: input.description ?? null,
        metadata: input.metadata ?? {},
        apiVersion: input.apiVersion ?? null,
      },
      ctx.now(),
    ),
    secret: input.secret ?? generateWebhookSecret(),
  };
  ctx.store.save('webhook_endpoint', endpoint);
  return endpoint;
}

export function createWebhookEndpoint(ctx: SandboxContext, form: FormObject): Stripe.WebhookEndpoint {
  const params = ParamReader.strict(form, ['url', 'enabled_events', 'description', 'metadata', 'api_version']);
  const url = params.requiredString('url', { maxLength: 5000 });
  const enabledEvents = params.optionalStringArray('enabled_events');
  if (enabledEvents === undefined || enabledEvents.length === 0)
    throw parameterInvalid('enabled_events', 'Missing required param: enabled_events.', 'parameter_missing');
  const endpoint = addWebhookEndpoint(ctx, {
    url,
    enabledEvents,
    description: params.optionalString('description') ?? null,
    metadata: mergeMetadata({}, params.optionalMetadata()),
    apiVersion: params.optionalString('api_version') ?? null,
  });
  // The only response that reveals the secret, as on Stripe.
  return { ...present(endpoint), secret: endpoint.secret };
}

export function retrieveWebhookEndpoint(ctx: SandboxContext, id: string): Stripe.WebhookEndpoint {
  return present(requireObject(ctx, 'webhook_endpoint', id));
}

export function updateWebhookEndpoint(ctx: SandboxContext, id: string, form: FormObject): Stripe.WebhookEndpoint {
  const endpoint = requireObject(ctx, 'webhook_endpoint', id);
  const params = ParamReader.strict(form, ['url', 'enabled_events', 'description', 'metadata', 'disabled']);
  const url = params.optionalString('url');
  if (url !== undefined) endpoint.url = validateUrl(url, 'url');
  const enabledEvents = params.optionalStringArray('enabled_events');
  if (enabledEvents !== undefined && enabledEvents.length > 0) endpoint.enabled_events = validateEnabledEvents(enabledEvents);
  const description = params.optionalNullableString('description');
  if (description !== undefined) endpoint.description = description;
  endpoint.metadata = mergeMetadata(endpoint.metadata, params.optionalMetadata());
  const disabled = params.optionalBoolean('disabled');
  if (disabled !== undefined) endpoint.status = disabled ? 'disabled' : 'enabled';
  ctx.store.save('webhook_endpoint', endpoint);
  return present(endpoint);
}

export function deleteWebhookEndpoint(ctx: SandboxContext, id: string): Stripe.DeletedWebhookEndpoint {
  requireObject(ctx, 'webhook_endpoint', id);
  ctx.store.remove('webhook_endpoint', id);
  return { id, object: 'webhook_endpoint', deleted: true };
}

export function listWebhookEndpoints(ctx: SandboxContext, form: FormObject): Stripe.ApiList<Stripe.WebhookEndpoint> {
  const params = ParamReader.strict(form, LIST_PARAMS);
  const list = paginate(ctx.store, 'webhook_endpoint', params, '/v1/webhook_endpoints', 'webhook endpoint');
  return { ...list, data: list.data.map(present) };
}

/** Enabled endpoints subscribed to `type`, as delivery targets. */
export function selectDeliveryTargets(ctx: SandboxContext, type: string): DeliveryTarget[] {
  return ctx.store
    .list('webhook_endpoint')
    .filter((endpoint) => endpoint.status === 'enabled' && isSubscribed(endpoint.enabled_events, type))
    .map(({ id, url, secret }) => ({ id, url, secret }));
}

export function findDeliveryTarget(ctx: SandboxContext, id: string): DeliveryTarget | undefined {
  const endpoint = ctx.store.get('webhook_endpoint', id);
  if (!endpoint || endpoint.status !== 'enabled') return undefined;
  return { id: endpoint.id, url: endpoint.url, secret: endpoint.secret };
}
