import { describe, expect, it } from 'vitest';
import { bytes, decimalText, localTime, minutesAgo, percent, wholeNumber, yuan } from './format';

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

  it('shows UTC times in local time and ages in minutes', () => {
    const utc = '2026-11-28T08:05:00.000Z';
    const local = new Date(utc);
    expect(localTime(utc)).toBe(
      `2026-11-${String(local.getDate()).padStart(2, '0')} ${String(local.getHours()).padStart(2, '0')}:05`,
    );
    expect(localTime('not a time')).toBe('not a time');
    expect(minutesAgo(utc, new Date('2026-11-28T08:17:59Z'))).toBe(12);
    expect(minutesAgo(utc, new Date('2026-11-28T08:00:00Z'))).toBe(0);
  });

  it('shows sizes in readable units', () => {
    expect(bytes(512)).toBe('512 B');
    expect(bytes(1536)).toBe('1.5 KiB');
    expect(bytes(452 * 1024 * 1024)).toBe('452.0 MiB');
  });
});
