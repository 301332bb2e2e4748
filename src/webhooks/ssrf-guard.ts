import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { RequestFilteringHttpAgent, RequestFilteringHttpsAgent, type RequestFilteringAgentOptions } from 'request-filtering-agent';
import type { WebhooksConfig } from '../config/config.ts';

/**
 * The SSRF guard of outbound webhooks. A company's URL must be http(s) (https only in production),
 * carry no credentials, and, when its host is an IP literal, name a public address. When sending,
 * every address the host resolves to is checked as the connection is made (request-filtering-agent
 * on node's http/https agents: loopback, private, link-local, CGNAT, multicast, reserved,
 * IPv4-mapped IPv6 and the unspecified address are refused, also for IP literals), so DNS answers
 * that change between the check and the connection (rebinding) do not get through. Only the
 * operator's allow-list (WEBHOOK_ALLOWED_HOSTS) lets a named host, address or CIDR through.
 */
export type WebhookUrlProblem = 'invalid_url' | 'https_required' | 'credentials_in_url' | 'address_not_allowed';

export interface WebhookUrlPolicy {
  /** Why this URL may not be a webhook target, or null if it may. */
  problem(url: string): WebhookUrlProblem | null;
}

const PUBLIC_RANGE = 'unicast';

export function createWebhookUrlPolicy(config: Pick<WebhooksConfig, 'requireHttps' | 'allowedHosts'>): WebhookUrlPolicy & {
  /** The agent that makes the connection for this URL (it refuses non-public addresses itself). */
  agentFor(url: URL): RequestFilteringHttpAgent | RequestFilteringHttpsAgent;
} {
  const { hostnames, addresses } = config.allowedHosts;
  const base: RequestFilteringAgentOptions = { allowPrivateIPAddress: false, allowMetaIPAddress: false, allowIPAddressList: addresses };
  // A host the operator names may resolve to private addresses (a receiver in the same network).
  const named: RequestFilteringAgentOptions = { ...base, allowPrivateIPAddress: true };
  const agentOptions = { keepAlive: true, maxSockets: 64 };
  // Made on first use: the API side only checks URLs and never sends.
  let agents: ReturnType<typeof makeAgents> | undefined;
  const makeAgents = () => ({
    http: new RequestFilteringHttpAgent({ ...agentOptions, ...base }),
    https: new RequestFilteringHttpsAgent({ ...agentOptions, ...base }),
    namedHttp: new RequestFilteringHttpAgent({ ...agentOptions, ...named }),
    namedHttps: new RequestFilteringHttpsAgent({ ...agentOptions, ...named }),
  });
  const hostOf = (u: URL) => u.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();

  return {
    problem(raw) {
      let u: URL;
      try {
        u = new URL(raw);
      } catch {
        return 'invalid_url';
      }
      if (u.protocol !== 'https:' && u.protocol !== 'http:') return 'invalid_url';
      if (config.requireHttps && u.protocol !== 'https:') return 'https_required';
      if (u.username || u.password) return 'credentials_in_url';
      const host = hostOf(u);
      if (isIP(host) !== 0 && !isAllowedAddress(host, addresses) && !hostnames.includes(host)) {
        if (addressRange(host) !== PUBLIC_RANGE) return 'address_not_allowed';
      }
      if (host === 'localhost' || host.endsWith('.localhost')) {
        if (!hostnames.includes(host)) return 'address_not_allowed';
      }
      return null;
    },
    agentFor(u) {
      agents ??= makeAgents();
      const isNamed = hostnames.includes(hostOf(u));
      if (u.protocol === 'https:') return isNamed ? agents.namedHttps : agents.https;
      return isNamed ? agents.namedHttp : agents.http;
    },
  };
}

export type WebhookGuard = ReturnType<typeof createWebhookUrlPolicy>;

/** ipaddr.js's range name ('unicast' for public), as request-filtering-agent judges it. */
function addressRange(address: string): string {
  // request-filtering-agent depends on ipaddr.js; asking the same library keeps both judgements equal.
  return ipaddr.parse(address).range();
}

function isAllowedAddress(address: string, list: string[]): boolean {
  const parsed = ipaddr.parse(address);
  return list.some((entry) => {
    if (!entry.includes('/')) return isIP(entry) !== 0 && ipaddr.parse(entry).toString() === parsed.toString();
    try {
      const cidr = ipaddr.parseCIDR(entry);
      return parsed.kind() === cidr[0].kind() && parsed.match(cidr);
    } catch {
      return false;
    }
  });
}
