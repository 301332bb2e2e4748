import { describe, expect, it } from 'vitest';
import { iterationBudget } from '../../src/planning/solve.ts';

describe('how long a planning run searches', () => {
  it('a small day gets an iteration budget that grows with its stops; a large day or 0 per stop uses the whole time budget', () => {
    expect(iterationBudget(3, 20_000)).toEqual({ maxIterations: 60_000 });
    expect(iterationBudget(1, 20_000)).toEqual({ maxIterations: 50_000 });
    expect(iterationBudget(100, 20_000)).toEqual({ maxIterations: 2_000_000 });
    expect(iterationBudget(101, 20_000)).toEqual({});
    expect(iterationBudget(10, 0)).toEqual({});
  });
});
