import { describe, expect, it } from 'vitest';
import { createLru } from '../../src/shared/lru.ts';

describe('a bounded cache', () => {
  it('keeps at most its size and drops the entry used least recently, not the oldest one', () => {
    const lru = createLru<string, number>(2);
    lru.set('a', 1);
    lru.set('b', 2);
    expect(lru.get('a')).toBe(1); // a is now the most recently used
    lru.set('c', 3);
    expect(lru.size).toBe(2);
    expect(lru.get('b')).toBeUndefined();
    expect(lru.get('a')).toBe(1);
    expect(lru.get('c')).toBe(3);
    lru.set('a', 10); // replacing counts as a use and does not grow it
    expect(lru.size).toBe(2);
    expect(lru.get('a')).toBe(10);
  });
});
