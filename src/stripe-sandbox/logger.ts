/** The slice of pino's interface the sandbox logs through (a pino logger fits as is). */
export interface SandboxLogger {
  /** Optional: per-request and per-delivery chatter goes here, so it stays out of info logs. */
  debug?(details: object, message?: string): void;
  info(details: object, message?: string): void;
  warn(details: object, message?: string): void;
  error(details: object, message?: string): void;
}

export const silentLogger: SandboxLogger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
