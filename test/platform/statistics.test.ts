import { sql } from 'drizzle-orm';
import { describe, expect } from 'vitest';
import { queryRows } from '../../src/db/client.ts';
import { analyzeTablesWithoutStatistics } from '../../src/db/statistics.ts';
import { test } from '../helpers/platform-fixture.ts';

describe('statistics on a new installation', () => {
  test('tables without planner statistics are analysed at start-up', async ({ p }) => {
    await p.db.execute(sql`create table if not exists stats_probe (id int)`);
    await p.db.execute(sql`insert into stats_probe select generate_series(1, 100)`);
    const analysed = await analyzeTablesWithoutStatistics(p.db);
    expect(analysed).toContain('stats_probe');
    // pg_stat counters are updated asynchronously: read what ANALYZE left in pg_class instead.
    const [row] = await queryRows<{ reltuples: number }>(p.db, sql`select reltuples from pg_class where relname = 'stats_probe'`);
    expect(Number(row?.reltuples)).toBe(100);
    await p.db.execute(sql`drop table stats_probe`);
  });
});
