/**
 * Solomon VRPTW benchmark (distance-only objective, double precision, fleet size not minimised).
 *
 *   npm run bench:vrptw -- --budget 2s [--dir bench/data/solomon] [--instances C101,R1*] [--seed 1]
 *                          [--out bench/results/x.json]
 *
 * Every solution is verified by the independent checker; the gap is against
 * `double_distance_verified` from bks.csv where present, else `double_distance_vroom`.
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { checkSolution, parseSolomon, buildSolomonProblem, solveVrptw } from '../src/routing/index.js';

interface Args {
  budgetMs: number;
  dir: string;
  instances: string[] | null;
  seed: number;
  out: string | null;
  /** Solver tuning overrides as JSON, e.g. '{"avgRemoved":15}' (experiments only). */
  params: Record<string, number>;
}

function parseDuration(s: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(s.trim());
  if (!m) throw new Error(`invalid --budget "${s}" (use e.g. 2s, 500ms, 1m)`);
  const v = Number(m[1]);
  return m[2] === 'ms' ? v : m[2] === 'm' ? v * 60_000 : v * 1000;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { budgetMs: 2000, dir: 'bench/data/solomon', instances: null, seed: 1, out: null, params: {} };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag === undefined) continue;
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag === '--budget') args.budgetMs = parseDuration(value);
    else if (flag === '--dir') args.dir = value;
    else if (flag === '--instances')
      args.instances = value
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean);
    else if (flag === '--seed') args.seed = Number(value);
    else if (flag === '--out') args.out = value;
    else if (flag === '--params') args.params = JSON.parse(value) as Record<string, number>;
    else throw new Error(`unknown flag ${flag}`);
    i++;
  }
  return args;
}

function matchesAny(name: string, patterns: string[] | null): boolean {
  if (!patterns) return true;
  return patterns.some((p) => new RegExp(`^${p.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i').test(name));
}

function readReferences(dir: string): Map<string, number> {
  const refs = new Map<string, { verified?: number; vroom?: number }>();
  let text: string;
  try {
    text = readFileSync(join(dir, 'bks.csv'), 'utf8');
  } catch {
    return new Map();
  }
  for (const line of text.split(/\r?\n/).slice(1)) {
    const [instance, , distance, source] = line.split(',');
    if (!instance || !distance) continue;
    const key = instance.toUpperCase();
    const entry = refs.get(key) ?? {};
    if (source === 'double_distance_verified') entry.verified = Number(distance);
    if (source === 'double_distance_vroom') entry.vroom = Number(distance);
    refs.set(key, entry);
  }
  const out = new Map<string, number>();
  for (const [k, v] of refs) {
    const ref = v.verified ?? v.vroom;
    if (ref !== undefined) out.set(k, ref);
  }
  return out;
}

interface Row {
  instance: string;
  routes: number;
  distance: number;
  reference: number | null;
  gapPercent: number | null;
  timeMs: number;
  cpuMs: number;
  iterations: number;
  feasible: boolean;
  violations: string[];
  unassigned: number;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const refs = readReferences(args.dir);
  const files = readdirSync(args.dir)
    .filter((f) => f.toLowerCase().endsWith('.txt'))
    .sort()
    .filter((f) => matchesAny(basename(f, '.txt'), args.instances));
  if (files.length === 0) throw new Error(`no instances in ${args.dir} match ${args.instances?.join(',')}`);
  console.log(`${files.length} instances, budget ${args.budgetMs} ms each, seed ${args.seed}`);
  console.log('instance   routes   distance   reference    gap %    time s    cpu s   feasible');
  const rows: Row[] = [];
  for (const file of files) {
    const inst = parseSolomon(readFileSync(join(args.dir, file), 'utf8'));
    const problem = buildSolomonProblem(inst);
    const name = basename(file, '.txt').toUpperCase();
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const solution = await solveVrptw(problem, { seed: args.seed, timeLimitMs: args.budgetMs, objective: 'distance', sisr: args.params });
    const timeMs = performance.now() - t0;
    // CPU time shows how much of the wall budget the solver really got on a shared machine.
    const cpu = process.cpuUsage(cpu0);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    const check = checkSolution(problem, solution, 'distance');
    const violations = check.violations.map((v) => `${v.code}: ${v.message}`);
    if (solution.unassigned.length > 0) violations.push(`${solution.unassigned.length} stops unassigned`);
    const feasible = check.feasible && solution.unassigned.length === 0;
    const reference = refs.get(name) ?? null;
    const gap = reference === null ? null : ((check.distance - reference) / reference) * 100;
    rows.push({
      instance: name,
      routes: check.routeCount,
      distance: check.distance,
      reference,
      gapPercent: gap,
      timeMs,
      cpuMs,
      iterations: solution.stats.iterations,
      feasible,
      violations,
      unassigned: solution.unassigned.length,
    });
    console.log(
      [
        name.padEnd(8),
        String(check.routeCount).padStart(7),
        check.distance.toFixed(2).padStart(10),
        (reference?.toFixed(2) ?? '-').padStart(11),
        (gap === null ? '-' : gap.toFixed(2)).padStart(8),
        (timeMs / 1000).toFixed(2).padStart(9),
        (cpuMs / 1000).toFixed(2).padStart(8),
        (feasible ? 'yes' : 'NO').padStart(10),
      ].join(' '),
    );
    for (const v of violations.slice(0, 5)) console.log(`    ${v}`);
  }
  const withGap = rows.flatMap((row) => (row.gapPercent === null ? [] : [{ row, gap: row.gapPercent }]));
  const gaps = withGap.map((g) => g.gap);
  const avgGap = gaps.reduce((a, b) => a + b, 0) / Math.max(1, gaps.length);
  const worst = withGap.reduce<{ row: Row; gap: number } | null>((w, g) => (!w || g.gap > w.gap ? g : w), null)?.row ?? null;
  const infeasible = rows.filter((r) => !r.feasible).length;
  const avgTime = rows.reduce((a, r) => a + r.timeMs, 0) / rows.length;
  const avgCpu = rows.reduce((a, r) => a + r.cpuMs, 0) / rows.length;
  const groups = new Map<string, number[]>();
  for (const r of rows) {
    const g = /^(RC|R|C)[12]/.exec(r.instance)?.[0] ?? 'other';
    if (r.gapPercent !== null) groups.set(g, [...(groups.get(g) ?? []), r.gapPercent]);
  }
  console.log('');
  for (const [g, list] of [...groups].sort()) {
    console.log(`${g.padEnd(4)} avg gap ${(list.reduce((a, b) => a + b, 0) / list.length).toFixed(2)} % over ${list.length}`);
  }
  console.log(
    `average gap ${avgGap.toFixed(3)} % over ${gaps.length} instances; worst ${worst?.instance ?? '-'} ` +
      `${worst?.gapPercent?.toFixed(2) ?? '-'} %; infeasible ${infeasible}; mean time ${(avgTime / 1000).toFixed(2)} s ` +
      `(cpu ${(avgCpu / 1000).toFixed(2)} s)`,
  );
  if (args.out) {
    mkdirSync(dirname(args.out), { recursive: true });
    const summary = { budgetMs: args.budgetMs, seed: args.seed, averageGapPercent: avgGap, worst: worst?.instance, infeasible, rows };
    writeFileSync(args.out, JSON.stringify(summary, null, 2));
    console.log(`wrote ${args.out}`);
  }
  if (infeasible > 0) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
