import { describe, expect, it } from 'vitest';
import { usableLanguage } from './locale-guard';
import { columns, cssColor, pointCount, yRange } from './options';

describe('chart options', () => {
  it('lays the series out as columns with gaps kept as null', () => {
    const data = columns([1, 2, 3], [{ label: 'a', values: [5, null] }, { label: 'b', values: [1, 2, 3] }]);
    expect(data).toEqual([[1, 2, 3], [5, null, null], [1, 2, 3]]);
    expect(pointCount([{ label: 'a', values: [5, null, NaN] }, { label: 'b', values: [1] }])).toBe(2);
  });

  it('keeps the threshold in view and a percentage under 100', () => {
    const [low, high] = yRange([{ label: 'rate', values: [60, 70] }], { value: 99.5, label: '' }, { min: 0, max: 100 });
    expect(low).toBeLessThan(60);
    expect(high).toBe(100);
    const [l2, h2] = yRange([{ label: 'ms', values: [120, null, 140] }], null, { min: 0 });
    expect(l2).toBeGreaterThanOrEqual(0);
    expect(l2).toBeLessThan(120);
    expect(h2).toBeGreaterThan(140);
  });

  it('gives a flat line and an empty chart a usable range', () => {
    expect(yRange([{ label: 'x', values: [0, 0] }], null, { min: 0 })).toEqual([0, 1]);
    expect(yRange([{ label: 'x', values: [null] }], null)).toEqual([0, 1]);
  });

  it('reads colours from the CSS variables', () => {
    const style = { getPropertyValue: (name: string) => (name === '--accent' ? ' #f25a00 ' : '') };
    expect(cssColor('--accent', style)).toBe('#f25a00');
    expect(cssColor('--missing', style)).toBe('#888');
    expect(cssColor('red', style)).toBe('red');
  });
});

describe('locale guard', () => {
  it('tells a language Intl refuses (a POSIX locale) from a usable one', () => {
    expect(usableLanguage('C')).toBe(false);
    expect(usableLanguage('zh-CN')).toBe(true);
    expect(usableLanguage(undefined)).toBe(true);
  });
});
