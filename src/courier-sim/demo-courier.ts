import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { createCourierSim, type CourierSim } from './courier-sim.ts';
import { parseSimOptions } from './sim-options.ts';

/**
 * `npm start` with COURIER_SIM=1: the reference courier company runs in the platform's process,
 * registered against the demo office by the demo admin, so a newcomer can follow a document from
 * scan-in to the door. Nothing here knows the platform's insides: the sim talks to its HTTP API.
 */

/** The host the sim's receiver listens on (COURIER_SIM_HOST, default 127.0.0.1). */
export const demoCourierHost = (env: Record<string, string | undefined>) => env.COURIER_SIM_HOST || '127.0.0.1';

/**
 * The environment the platform starts with: with COURIER_SIM=1 the sim's receiver host is added to
 * the SSRF guard's allow-list (it is loopback, which the guard refuses otherwise). Returns what was
 * added, so the start-up log can say so; without COURIER_SIM=1 the environment is unchanged.
 */
export function withDemoCourierAllowList(env: Record<string, string | undefined>): {
  env: Record<string, string | undefined>;
  added: string | null;
} {
  if (env.COURIER_SIM !== '1') return { env, added: null };
  const host = demoCourierHost(env).toLowerCase();
  const listed = (env.WEBHOOK_ALLOWED_HOSTS ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
  if (listed.includes(host)) return { env, added: null };
  return { env: { ...env, WEBHOOK_ALLOWED_HOSTS: [...listed, host].join(',') }, added: host };
}

/** The demo admin's password from the credentials file the first start wrote (never logged). */
export function demoAdminPassword(credentialsFile: string): string | null {
  if (!existsSync(credentialsFile)) return null;
  for (const line of readFileSync(credentialsFile, 'utf8').split('\n')) {
    const [username, password] = line.trim().split(/\s+/);
    if (username === 'admin' && password) return password;
  }
  return null;
}

export async function startDemoCourier(input: {
  env: Record<string, string | undefined>;
  platformUrl: string;
  dataDir: string;
  credentialsFile: string | null;
  logger: Logger;
}): Promise<CourierSim> {
  const password = input.credentialsFile ? demoAdminPassword(input.credentialsFile) : null;
  const env: Record<string, string | undefined> = {
    COURIER_SIM_STATE_FILE: path.resolve(input.dataDir, 'courier-sim.json'),
    ...(password ? { COURIER_SIM_ADMIN_USERNAME: 'admin', COURIER_SIM_ADMIN_PASSWORD: password } : {}),
    ...input.env,
    COURIER_SIM_PLATFORM_URL: input.platformUrl,
  };
  // Throws SimOptionsError naming the variable when a COURIER_SIM_* value is wrong.
  const options = parseSimOptions([], env);
  const sim = createCourierSim(options, { logger: input.logger });
  try {
    await sim.start();
  } catch (err) {
    await sim.close();
    throw err;
  }
  return sim;
}
