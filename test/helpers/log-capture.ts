import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';

/** A pino logger whose lines (JSON, one per entry) the test can read, at the most verbose level. */
export function createLogCapture(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: pino({ level: 'trace' }, stream), lines };
}
