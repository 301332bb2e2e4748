import { startDemoCourier, withDemoCourierAllowList } from './courier-sim/demo-courier.ts';
import { exitAtOnce, runProcess, StartupError, stopProcess } from './infra/process.ts';
import { describeRunning } from './infra/startup-message.ts';
import { createPlatform } from './platform.ts';
import { SimOptionsError } from './courier-sim/sim-options.ts';

/**
 * `npm start`: API and workers in one process, on embedded defaults where nothing is configured
 * (PGlite in DATA_DIR without DATABASE_URL, the offline Stripe sandbox without STRIPE_SECRET_KEY, a
 * redis-server of its own in DATA_DIR without REDIS_URL when none answers at the default address).
 * With COURIER_SIM=1 the reference courier company runs alongside (and its receiver's host is
 * added to the SSRF allow-list, which the log says).
 */
const { env, added } = withDemoCourierAllowList(process.env);

await runProcess({
  name: 'amtsbote',
  env,
  start: async (config, logger) => {
    const platform = await createPlatform(
      config,
      {
        api: 'listen',
        workers: true,
        migrate: true,
        seedDemo: true,
        embeddedRedis: true,
        onFatal: stopProcess,
        onDataDirLockLost: exitAtOnce,
      },
      { logger },
    );
    logger.info(describeRunning(platform), 'Amtsbote is running');
    if (config.env.COURIER_SIM !== '1') return platform;
    if (added) {
      logger.warn(
        { WEBHOOK_ALLOWED_HOSTS: config.env.WEBHOOK_ALLOWED_HOSTS },
        `COURIER_SIM=1: ${added} added to WEBHOOK_ALLOWED_HOSTS so webhooks reach the simulated courier company`,
      );
    }
    try {
      const sim = await startDemoCourier({
        env,
        platformUrl: platform.address ?? `http://${config.env.HOST}:${config.env.PORT}`,
        dataDir: config.env.DATA_DIR,
        credentialsFile: platform.demo?.credentialsFile ?? null,
        logger: logger.child({ component: 'courier-sim' }),
      });
      logger.info({ companyId: sim.credentials().companyId }, 'simulated courier company running (COURIER_SIM=1)');
      return {
        close: async () => {
          await sim.close();
          await platform.close();
        },
      };
    } catch (err) {
      await platform.close();
      const reason = err instanceof Error ? err.message : String(err);
      throw new StartupError(
        err instanceof SimOptionsError
          ? `COURIER_SIM=1: ${reason}`
          : `COURIER_SIM=1: the simulated courier company could not start (${reason}). It registers with the demo admin from DATA_DIR/demo-credentials.txt, or set COURIER_SIM_ADMIN_USERNAME/COURIER_SIM_ADMIN_PASSWORD or an existing company (COURIER_SIM_COMPANY_ID, COURIER_SIM_API_KEY, COURIER_SIM_SIGNING_SECRET).`,
      );
    }
  },
});
