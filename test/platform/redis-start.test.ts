import { describe, expect, it } from 'vitest';
import { connectRedis, redactUrl } from '../../src/infra/redis.ts';

describe('starting without Redis', () => {
  it('fails with a message that says how to get one, and hides the password in the URL', async () => {
    // Port 1 on loopback: nothing listens there, so the connection is refused at once.
    const failing = connectRedis('redis://user:secret@127.0.0.1:1');
    await expect(failing).rejects.toThrow(/Redis does not answer at redis:\/\/\*\*\*@127\.0\.0\.1:1/);
    await expect(failing).rejects.toThrow(/redis-server --daemonize yes/);
    await expect(failing).rejects.not.toThrow(/secret/);
    expect(redactUrl('rediss://a:b@host:6380/0')).toBe('rediss://***@host:6380/0');
  });
});
