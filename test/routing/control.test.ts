import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkSolution, parseSolomon, buildSolomonProblem, solveVrptw, type SolveProgress } from '../../src/routing/index.js';
import { must } from '../helpers/must.ts';

const r101 = buildSolomonProblem(parseSolomon(readFileSync('bench/data/solomon/R101.txt', 'utf8')));

describe('time budget, cancellation and progress', () => {
  it('stops at the time budget and returns a feasible plan', async () => {
    await solveVrptw(r101, { maxIterations: 1, objective: 'distance' }); // JIT warm-up
    const t0 = performance.now();
    const solution = await solveVrptw(r101, { timeLimitMs: 400, objective: 'distance' });
    const wall = performance.now() - t0;
    expect(solution.stats.stoppedBy).toBe('time_limit');
    expect(wall).toBeGreaterThanOrEqual(400);
    // Not long after the budget: the margin (it was 800 ms) is loose for a loaded 2-core machine.
    expect(wall).toBeLessThan(400 + 4_000);
    expect(solution.stats.iterations).toBeGreaterThan(0);
    expect(checkSolution(r101, solution, 'distance').feasible).toBe(true);
  });

  it('an abort signal ends a long search early with the best plan so far', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 150);
    const t0 = performance.now();
    const solution = await solveVrptw(r101, { timeLimitMs: 30_000, signal: controller.signal, objective: 'distance' });
    // Far below the 30 s budget; loose (it was 1 s) for a loaded 2-core machine.
    expect(performance.now() - t0).toBeLessThan(5_000);
    expect(solution.stats.stoppedBy).toBe('signal');
    expect(solution.unassigned).toEqual([]);
    expect(checkSolution(r101, solution, 'distance').feasible).toBe(true);
  });

  it('an already aborted signal returns the construction solution without searching', async () => {
    const solution = await solveVrptw(r101, { signal: AbortSignal.abort(), objective: 'distance' });
    expect(solution.stats.iterations).toBe(0);
    expect(checkSolution(r101, solution, 'distance').feasible).toBe(true);
  });

  it('reports throttled progress with a non-increasing best cost', async () => {
    const events: SolveProgress[] = [];
    await solveVrptw(r101, { timeLimitMs: 600, progressIntervalMs: 100, onProgress: (p) => events.push(p), objective: 'distance' });
    expect(events.length).toBeGreaterThanOrEqual(3);
    expect(events.length).toBeLessThanOrEqual(10);
    for (let i = 1; i < events.length; i++) {
      expect(must(events[i], 'events[i]').bestCost).toBeLessThanOrEqual(must(events[i - 1], 'events[i - 1]').bestCost + 1e-9);
      expect(must(events[i], 'events[i]').iterations).toBeGreaterThanOrEqual(must(events[i - 1], 'events[i - 1]').iterations);
    }
    expect(must(events.at(-1), 'events.at(-1)').unassigned).toBe(0);
  });

  it('is deterministic for a fixed seed and iteration budget on a Solomon instance', async () => {
    const a = await solveVrptw(r101, { seed: 5, maxIterations: 2000, objective: 'distance' });
    const b = await solveVrptw(r101, { seed: 5, maxIterations: 2000, objective: 'distance' });
    expect(b.routes).toEqual(a.routes);
    expect(b.cost).toBe(a.cost);
    expect(a.stats.stoppedBy).toBe('iteration_limit');
  });
});
