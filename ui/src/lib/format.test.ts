import { describe, expect, it } from 'vitest';
import { decimalText, percent, wholeNumber, yuan } from './format';

describe('format', () => {
  it('shows money and missing money', () => {
    expect(yuan('12.50')).toBe('¥12.50');
    expect(yuan(null)).toBe('—');
  });

  it('shows percentages from basis points', () => {
    expect(percent({ basisPoints: 4200 })).toBe('42%');
    expect(percent({ basisPoints: 4250 })).toBe('42.5%');
    expect(percent({ basisPoints: 4255 })).toBe('42.55%');
    expect(percent({ basisPoints: 5 })).toBe('0.05%');
    expect(percent(null)).toBe('—');
  });

  it('reads typed numbers without floats', () => {
    expect(wholeNumber(' 100 ')).toBe(100);
    expect(wholeNumber('1e3')).toBeNull();
    expect(wholeNumber('')).toBeNull();
    expect(decimalText('0.035')).toBe('0.035');
    expect(decimalText('-1')).toBeNull();
    expect(decimalText('abc')).toBeNull();
  });
});
