import { describe, expect, it } from 'vitest';
import { extent } from './chart';

describe('chart range', () => {
  it('finds the lowest and highest value', () => {
    expect(extent([3, 1, 2])).toEqual({ low: 1, high: 3 });
    expect(extent([5])).toEqual({ low: 5, high: 5 });
    expect(extent([])).toBeNull();
  });

  it('copes with more points than a function takes arguments', () => {
    const values = Array.from({ length: 1_000_000 }, (_, i) => (i * 7919) % 1000);
    values[123_456] = -1;
    values[654_321] = 5000;
    expect(extent(values)).toEqual({ low: -1, high: 5000 });
  });
});
