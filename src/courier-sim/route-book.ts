import type { RouteData } from '../dispatch/route-events.ts';
/**
 * What the company knows of its routes from the platform's webhooks. Pure: each verified message
 * goes through `receive`, which dedupes by webhook-id and honours `version` (an older message
 * about a route never overwrites a newer one), and says what the company should do about it.
 */

/** The parts of a stop the company works with: the platform's own route.offered shape (route-events.ts). */
export type SimStop = Pick<RouteData['stops'][number], 'jobId' | 'sequence' | 'location' | 'plannedArrival' | 'window' | 'identityCheck'>;

/** The parts of route.offered / route.updated `data` the company works with (more fields arrive). */
export type SimRoute = Pick<
  RouteData,
  'routeId' | 'version' | 'deliveryDate' | 'vehicleType' | 'pickupAt' | 'returnBy' | 'offerDeadline'
> & {
  stops: SimStop[];
};

export type InboundMessage =
  | { type: 'route.offered' | 'route.updated'; timestamp: string; data: SimRoute }
  | { type: 'route.cancelled'; timestamp: string; data: { routeId: string; version: number; reason: string } }
  | { type: string; timestamp: string; data: unknown };

export type BookAction =
  | { kind: 'duplicate' }
  | { kind: 'stale'; routeId: string }
  | { kind: 'offered'; route: SimRoute }
  | { kind: 'updated'; route: SimRoute }
  | { kind: 'cancelled'; routeId: string; reason: string }
  | { kind: 'unknown_type'; type: string };

export interface RouteEntry {
  version: number;
  route: SimRoute | null;
  cancelled: boolean;
}

export function createRouteBook(opts: { rememberIds?: number } = {}) {
  const remember = opts.rememberIds ?? 10_000;
  /** webhook-ids already processed, oldest first (a Map keeps insertion order). */
  const seen = new Map<string, true>();
  const routes = new Map<string, RouteEntry>();

  const markSeen = (id: string) => {
    seen.set(id, true);
    if (seen.size > remember) {
      const oldest = seen.keys().next().value;
      if (oldest !== undefined) seen.delete(oldest);
    }
  };

  return {
    routes,
    hasSeen: (webhookId: string) => seen.has(webhookId),

    receive(webhookId: string, message: InboundMessage): BookAction {
      if (seen.has(webhookId)) return { kind: 'duplicate' };
      markSeen(webhookId);
      if (message.type === 'route.offered' || message.type === 'route.updated') {
        const route = message.data as SimRoute;
        const known = routes.get(route.routeId);
        if (known && known.version >= route.version) return { kind: 'stale', routeId: route.routeId };
        routes.set(route.routeId, { version: route.version, route, cancelled: false });
        return message.type === 'route.offered' ? { kind: 'offered', route } : { kind: 'updated', route };
      }
      if (message.type === 'route.cancelled') {
        const data = message.data as { routeId: string; version: number; reason: string };
        const known = routes.get(data.routeId);
        // A cancellation of an older version than we hold (an offer expired, then the route came back): ignore.
        if (known && known.version > data.version) return { kind: 'stale', routeId: data.routeId };
        routes.set(data.routeId, { version: data.version, route: known?.route ?? null, cancelled: true });
        return { kind: 'cancelled', routeId: data.routeId, reason: data.reason };
      }
      return { kind: 'unknown_type', type: message.type };
    },
  };
}

export type RouteBook = ReturnType<typeof createRouteBook>;
