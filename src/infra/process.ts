import { pino, type Logger } from 'pino';
import type { Config } from '../config/config.ts';

export function createLogger(config: Config, name: string): Logger {
  return pino({
    name,
    level: config.env.LOG_LEVEL,
    redact: {
      paths: ['req.headers.authorization', 'req.headers["tracking-token"]', 'req.headers["stripe-signature"]'],
      censor: '[redacted]',
    },
  });
}

/**
 * Graceful shutdown on SIGINT/SIGTERM (close in the order given, then exit). An uncaught error
 * ends the process: a worker in an unknown state must not keep taking jobs.
 */
export function handleShutdown(logger: Logger, close: () => Promise<void>) {
  let closing = false;
  const stop = async (reason: string, code: number) => {
    if (closing) return;
    closing = true;
    logger.info({ reason }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error('shutdown took longer than 15 s; exiting');
      process.exit(1);
    }, 15_000);
    timer.unref();
    try {
      await close();
    } catch (err) {
      logger.error({ err }, 'error during shutdown');
      code = 1;
    }
    process.exit(code);
  };
  process.once('SIGINT', () => void stop('SIGINT', 0));
  process.once('SIGTERM', () => void stop('SIGTERM', 0));
  process.on('uncaughtException', (err) => {
    logger.fatal({ err }, 'uncaught exception');
    void stop('uncaughtException', 1);
  });
  process.on('unhandledRejection', (err) => {
    logger.fatal({ err }, 'unhandled rejection');
    void stop('unhandledRejection', 1);
  });
}
