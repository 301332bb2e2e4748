import { pino } from 'pino';
import { createCourierSim } from './courier-sim.ts';
import { helpText, parseSimOptions, SimOptionsError } from './sim-options.ts';

/** `npm run courier:sim`: the reference courier company as a process of its own (see README). */
const argv = process.argv.slice(2);
if (argv.includes('--help') || argv.includes('-h')) {
  process.stdout.write(`${helpText()}\n`);
  process.exit(0);
}
let options;
try {
  options = parseSimOptions(argv, process.env);
} catch (err) {
  if (!(err instanceof SimOptionsError)) throw err;
  console.error(`courier-sim: ${err.message}`);
  process.exit(1);
}
const logger = pino({ name: 'courier-sim', level: process.env.LOG_LEVEL ?? 'info' });
const sim = createCourierSim(options, { logger });
try {
  await sim.start();
} catch (err) {
  logger.fatal({ err: err instanceof Error ? err.message : String(err) }, 'courier sim could not start');
  await sim.close();
  process.exit(1);
}
let closing = false;
const stop = (signal: string) => {
  if (closing) return;
  closing = true;
  logger.info({ signal, stats: sim.stats }, 'courier sim stopping');
  void sim.close().then(() => process.exit(0));
};
process.once('SIGINT', () => stop('SIGINT'));
process.once('SIGTERM', () => stop('SIGTERM'));
