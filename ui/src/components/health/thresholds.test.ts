import { describe, expect, it } from 'vitest';
import { bpPercent, fieldText, percentBp, readAll } from './thresholds';

describe('threshold fields', () => {
  it('reads percentages to a hundredth and writes them back', () => {
    expect(percentBp('99.5')).toBe(9950);
    expect(percentBp(' 80 ')).toBe(8000);
    expect(percentBp('90,25')).toBe(9025);
    expect(percentBp('99.555')).toBeNull();
    expect(percentBp('abc')).toBeNull();
    expect(percentBp('')).toBeNull();
    expect(percentBp('101')).toBe(10100); // the Rust side refuses it by name
    expect(bpPercent(9950)).toBe('99.5');
    expect(bpPercent(9025)).toBe('90.25');
    expect(bpPercent(8000)).toBe('80');
    expect(bpPercent(5)).toBe('0.05');
  });

  it('reads every field or none', () => {
    const texts = {
      successRateBp: '99.5',
      latencyMeanMs: '800',
      cacheHitRateBp: '80',
      throttledPerDay: '10',
      updateLagMinutes: '15',
    };
    expect(readAll(texts)).toEqual({
      successRateBp: 9950,
      latencyMeanMs: 800,
      cacheHitRateBp: 8000,
      throttledPerDay: 10,
      updateLagMinutes: 15,
    });
    expect(readAll({ ...texts, latencyMeanMs: '8OO' })).toBeNull();
    expect(fieldText('cacheHitRateBp', 9025)).toBe('90.25');
    expect(fieldText('latencyMeanMs', 500)).toBe('500');
  });
});
