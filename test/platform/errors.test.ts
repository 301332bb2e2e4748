import { describe, expect, it } from 'vitest';
import { AppError, createError, createErrorFactory, isAppError } from '../../src/shared/errors.ts';

describe('named error factories', () => {
  const createThingNotFoundError = createErrorFactory({ code: 'thing.not_found', status: 404, message: 'Thing not found' });

  it('a factory makes a fresh AppError with its code, status and message on every call', () => {
    const a = createThingNotFoundError();
    const b = createThingNotFoundError();
    expect(a).toBeInstanceOf(AppError);
    expect(isAppError(a)).toBe(true);
    expect(a).not.toBe(b);
    expect({ code: a.code, status: a.status, message: a.message, details: a.details }).toEqual({
      code: 'thing.not_found',
      status: 404,
      message: 'Thing not found',
      details: undefined,
    });
  });

  it('one throw may say more (message, details) but keeps the code and status of the definition', () => {
    const err = createThingNotFoundError({ message: 'No thing 7', details: { id: 7 } });
    expect({ code: err.code, status: err.status, message: err.message, details: err.details }).toEqual({
      code: 'thing.not_found',
      status: 404,
      message: 'No thing 7',
      details: { id: 7 },
    });
  });

  it('the definition can be read but not changed', () => {
    expect(createThingNotFoundError.definition).toEqual({ code: 'thing.not_found', status: 404, message: 'Thing not found' });
    expect(Object.isFrozen(createThingNotFoundError.definition)).toBe(true);
  });

  it('createError still builds a one-off error', () => {
    const err = createError({ code: 'x.y', status: 409, message: 'm', details: { a: 1 } });
    expect(isAppError(err)).toBe(true);
    expect(err.details).toEqual({ a: 1 });
  });
});
