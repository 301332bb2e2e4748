import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkSolution, parseSolomon, buildSolomonProblem, solveVrptw } from '../../src/routing/index.js';
import { must } from '../helpers/must.ts';

const SAMPLE = [
  'TINY1',
  '',
  'VEHICLE',
  'NUMBER     CAPACITY',
  '  2         10',
  '',
  'CUSTOMER',
  'CUST NO.   XCOORD.   YCOORD.    DEMAND   READY TIME   DUE DATE   SERVICE TIME',
  ' ',
  '    0          0       0           0       0         100           0',
  '    1          3       4           5      10          20           2',
  '    2          0       5           6       0          50           1',
  '',
].join('\r\n');

describe('Solomon parser', () => {
  it('reads name, fleet, capacity and customer rows from CRLF text', () => {
    const inst = parseSolomon(SAMPLE);
    expect(inst.name).toBe('TINY1');
    expect(inst.vehicleCount).toBe(2);
    expect(inst.capacity).toBe(10);
    expect(inst.nodes).toEqual([
      { id: 0, x: 0, y: 0, demand: 0, ready: 0, due: 100, service: 0 },
      { id: 1, x: 3, y: 4, demand: 5, ready: 10, due: 20, service: 2 },
      { id: 2, x: 0, y: 5, demand: 6, ready: 0, due: 50, service: 1 },
    ]);
  });

  it('converts to a problem with Euclidean matrices, travel time = distance and the depot due date as shift end', () => {
    const problem = buildSolomonProblem(parseSolomon(SAMPLE));
    expect(problem.vehicles).toHaveLength(2);
    expect(problem.vehicles[0]).toMatchObject({ capacity: 10, shift: [0, 100] });
    expect(problem.stops[0]).toMatchObject({ id: '1', demand: 5, serviceTime: 2, timeWindows: [[10, 20]] });
    const m = must(problem.matrices.euclid, 'problem.matrices.euclid').distances as Float64Array;
    expect(m[0 * 3 + 1]).toBe(5);
    expect(m[1 * 3 + 2]).toBeCloseTo(Math.hypot(3, 1), 12);
    expect(must(problem.matrices.euclid, 'problem.matrices.euclid').durations).toBe(m);
  });

  it('rejects malformed files with a clear message', () => {
    expect(() => parseSolomon('')).toThrow(/empty/);
    expect(() => parseSolomon('X\nVEHICLE\n1 2\n')).toThrow(/CUSTOMER/);
    expect(() => parseSolomon(SAMPLE.replace('0       5           6       0          50           1', '0 5 6'))).toThrow(/malformed/);
  });

  it('parses all 56 bundled instances with 100 customers each', async () => {
    const { readdirSync } = await import('node:fs');
    const files = readdirSync('bench/data/solomon').filter((f) => f.endsWith('.txt'));
    expect(files).toHaveLength(56);
    for (const f of files) {
      const inst = parseSolomon(readFileSync(`bench/data/solomon/${f}`, 'utf8'));
      expect(inst.nodes).toHaveLength(101);
      expect(inst.vehicleCount).toBe(25);
    }
  });

  it('solves C101 to its known optimum 828.94 within a short budget', async () => {
    const problem = buildSolomonProblem(parseSolomon(readFileSync('bench/data/solomon/C101.txt', 'utf8')));
    const solution = await solveVrptw(problem, { seed: 1, timeLimitMs: 1500, objective: 'distance' });
    const check = checkSolution(problem, solution, 'distance');
    expect(check.violations).toEqual([]);
    expect(check.distance).toBeCloseTo(828.94, 1);
  });
});
