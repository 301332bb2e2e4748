import { pino, type Logger } from 'pino';
import { ConfigError, loadConfig, type Config } from '../config/config.ts';

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
 * A start-up failure the operator fixes outside the code (Redis not answering, a process that needs
 * a PostgreSQL server): its message says what to do, so it is logged without a stack trace.
 */
export class StartupError extends Error {
  override name = 'StartupError';
}

/**
 * How every process entry (`src/main.ts`, `src/server.ts`, `workers/main.ts`) starts, so they all
 * fail the same way: a bad configuration is a message on stderr and exit code 1; a process that
 * refuses the embedded database, or whose start fails, logs it as fatal and exits 1 (whatever the
 * start had opened is closed by it, see `createPlatform`). Once started, SIGINT/SIGTERM close it.
 */
export async function runProcess<T extends { close(): Promise<void> }>(opts: {
  /** The logger's name. */
  name: string;
  /** Set for a process that only runs part of the platform: PGlite lives inside one process. */
  needsDatabaseServer?: string;
  start(config: Config, logger: Logger): Promise<T>;
  env?: Record<string, string | undefined>;
}): Promise<T> {
  let config: Config;
  try {
    config = loadConfig(opts.env ?? process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    process.exit(1);
  }
  const logger = createLogger(config, opts.name);
  if (opts.needsDatabaseServer && config.embeddedDatabase) {
    logger.fatal(
      `${opts.needsDatabaseServer} needs DATABASE_URL (a PostgreSQL server). Without one, run everything in one process with \`npm start\`.`,
    );
    process.exit(1);
  }
  let started: T;
  try {
    started = await opts.start(config, logger);
  } catch (err) {
    if (err instanceof StartupError) logger.fatal(err.message);
    else logger.fatal({ err }, 'start-up failed');
    process.exit(1);
  }
  handleShutdown(logger, () => started.close());
  return started;
}

let fatalStop: ((reason: string) => void) | null = null;

/**
 * Ends the process as an uncaught error does (graceful close, exit code 1), for a part that died
 * under it. Before the shutdown handling is in place (still starting) it exits at once.
 */
export function stopProcess(reason: string): void {
  if (fatalStop) return fatalStop(reason);
  process.exit(1);
}

/**
 * What a process that lost its lock on DATA_DIR (infra/data-dir-lock.ts) does: end at once, with exit code 1. A graceful
 * close would go on writing (requests and jobs in flight, PGlite's shutdown checkpoint, the
 * sandbox's last lines) into a directory another process may own by now; ending like a crash
 * leaves PGlite to recover from its WAL, as after a power loss.
 */
export function exitAtOnce(reason: string): never {
  process.stderr.write(`${reason}\n`);
  process.exit(1);
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
  fatalStop = (reason) => void stop(reason, 1);
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
