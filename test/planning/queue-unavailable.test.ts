import { describe, expect } from 'vitest';
import { createLogCapture } from '../helpers/log-capture.ts';
import { platformTest } from '../helpers/platform-fixture.ts';
import { api, seedOffice } from '../helpers/test-platform.ts';
import { futureDeliveryDate } from './helpers.ts';

const logs = createLogCapture();
const test = platformTest({ logger: logs.logger });

describe('asking for a plan while the job queue does not answer', () => {
  test("is a 503 planning.queue_unavailable that keeps Redis's own message in the log; asking again adds the job", async ({ p }) => {
    const { office } = await seedOffice(p.db);
    const supervisor = await p.staff(['supervisor'], office.id);
    const date = futureDeliveryDate(4);
    const queue = p.queues.queue('planning');
    const add = queue.add.bind(queue);
    queue.add = (async () => {
      throw new Error('NOAUTH Authentication required (redis://planner:s3cret-pw@10.20.30.40:6379)');
    }) as typeof queue.add;
    logs.lines.length = 0;
    try {
      const res = await api(p, 'POST', `/v1/offices/${office.id}/plans`, { ...supervisor, body: { deliveryDate: date } });
      expect(res.status).toBe(503);
      expect(res.body.error).toMatchObject({ code: 'planning.queue_unavailable', message: expect.stringMatching(/Ask again/) });
      expect(JSON.stringify(res.body)).not.toMatch(/NOAUTH|s3cret|10\.20\.30\.40/);
      expect(logs.lines.some((l) => l.includes(res.body.error.requestId) && l.includes('NOAUTH'))).toBe(true);
    } finally {
      queue.add = add;
    }
    const again = await api(p, 'POST', `/v1/offices/${office.id}/plans`, { ...supervisor, body: { deliveryDate: date } });
    expect(again.status).toBe(202);
    expect(again.body.job).toMatchObject({ state: expect.stringMatching(/waiting|delayed|prioritized/) });
  });
});
