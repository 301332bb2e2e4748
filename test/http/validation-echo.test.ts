import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorHandlerPlugin } from '../../src/plugins/error-handler.plugin.ts';

/**
 * The API's own schemas name every key (additionalProperties: false), so validation messages hold
 * none of the input. These routes allow free-form keys on purpose, to show the bound holds anyway.
 */
describe('validation errors quote a bounded piece of the input, whatever the schema', () => {
  const app = Fastify();

  beforeAll(async () => {
    await app.register(errorHandlerPlugin);
    app.post('/free-form', { schema: { body: { type: 'object', additionalProperties: { type: 'string', maxLength: 10 } } } }, async () => ({
      ok: true,
    }));
    app.post(
      '/named',
      { schema: { body: { type: 'object', properties: { name: { type: 'string' } }, additionalProperties: false } } },
      async () => ({ ok: true }),
    );
    await app.ready();
  });
  afterAll(async () => app.close());

  it('a key of 5000 characters holding a NUL is named by a path cut to 200 characters', async () => {
    const key = 'k'.repeat(5000);
    const res = await app.inject({ method: 'POST', url: '/free-form', payload: { [key]: 'a\u0000' } });
    expect(res.statusCode).toBe(400);
    const { error } = res.json();
    expect(error.code).toBe('request.invalid_body');
    expect(error.details[0].path).toHaveLength(200);
    expect(error.message.length).toBeLessThan(300);
    expect(res.body.length).toBeLessThan(1000);
  });

  it('a key of 5000 characters with a value too long is named by a path cut to 200 characters', async () => {
    const res = await app.inject({ method: 'POST', url: '/free-form', payload: { ['k'.repeat(5000)]: 'x'.repeat(11) } });
    expect(res.statusCode).toBe(400);
    expect(res.body.length).toBeLessThan(1000);
  });

  it('short messages read as Fastify writes them', async () => {
    const res = await app.inject({ method: 'POST', url: '/named', payload: { name: 7 } });
    expect(res.json().error).toMatchObject({ code: 'request.invalid_body', message: 'body/name must be string' });
  });
});
