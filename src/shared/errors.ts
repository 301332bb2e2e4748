/**
 * Errors are values with stable codes. Domain code throws `AppError`s; the HTTP layer turns
 * them into `{ error: { code, message, requestId } }` with the status they carry.
 */
export class AppError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details?: Record<string, unknown>;

  constructor(args: { code: string; status: number; message: string; details?: Record<string, unknown> }) {
    super(args.message);
    this.name = 'AppError';
    this.code = args.code;
    this.status = args.status;
    if (args.details) this.details = args.details;
  }
}

export function createError(args: { code: string; status: number; message: string; details?: Record<string, unknown> }): AppError {
  return new AppError(args);
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
