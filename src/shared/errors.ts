/**
 * Errors are values with stable codes. Domain code throws `AppError`s; the HTTP layer turns
 * them into `{ error: { code, message, requestId } }` with the status they carry.
 *
 * Each domain names its errors once, in `<domain>.errors.ts`, with `createErrorFactory` (or a
 * small function around `createError` when the message needs data), so a code is written in one
 * place and a throw site reads as what went wrong: `throw createZoneNotFoundError()`.
 */
export class AppError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details?: Record<string, unknown>;

  constructor(args: ErrorArgs) {
    super(args.message);
    this.name = 'AppError';
    this.code = args.code;
    this.status = args.status;
    if (args.details) this.details = args.details;
  }
}

export interface ErrorDefinition {
  /** Stable, `<domain>.<what>`: clients and tests match on it. */
  code: string;
  /** The HTTP status the error handler answers with. */
  status: number;
  /** Said to the client; never holds driver messages or unbounded client input. */
  message: string;
}

interface ErrorArgs extends ErrorDefinition {
  details?: Record<string, unknown>;
}

export function createError(args: ErrorArgs): AppError {
  return new AppError(args);
}

/** Extras a single throw may add to a named error; code and status stay those of its definition. */
export interface ErrorOverrides {
  message?: string;
  details?: Record<string, unknown>;
}

export interface ErrorFactory<D extends ErrorDefinition = ErrorDefinition> {
  (overrides?: ErrorOverrides): AppError;
  readonly definition: Readonly<D>;
}

/**
 * A named error: `export const createTagNotFoundError = createErrorFactory({ code, status, message })`.
 * The factory carries its `definition`, so a test can ask for `createTagNotFoundError.definition.code`.
 */
export function createErrorFactory<const D extends ErrorDefinition>(definition: D): ErrorFactory<D> {
  const frozen = Object.freeze({ ...definition });
  const factory = ({ message, details }: ErrorOverrides = {}) => createError({ ...frozen, message: message ?? frozen.message, details });
  return Object.assign(factory, { definition: frozen });
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;

/** A PostgreSQL error of the given SQLSTATE, seen through postgres.js or PGlite (or drizzle's wrapper). */
function isPgError(e: unknown, sqlState: string, constraint?: string): boolean {
  const err = (e as { cause?: unknown })?.cause ?? e;
  const pg = err as { code?: string; constraint_name?: string; constraint?: string };
  if (pg?.code !== sqlState) return false;
  return constraint === undefined || pg.constraint_name === constraint || pg.constraint === constraint;
}

/** unique_violation */
export const isUniqueViolation = (e: unknown, constraint?: string) => isPgError(e, '23505', constraint);

/** foreign_key_violation: a reference to a row that does not exist. */
export const isForeignKeyViolation = (e: unknown, constraint?: string) => isPgError(e, '23503', constraint);
