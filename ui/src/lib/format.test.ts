import { describe, expect, it } from 'vitest';
import {
  bytes,
  decimalText,
  dimensions,
  localDate,
  localTime,
  minutesAgo,
  percent,
  percentChange,
  percentInput,
  score,
  scoreInput,
  unusable,
  weight,
  wholeNumber,
  yuan,
} from './format';

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

  it('shows a price move with its sign', () => {
    expect(percentChange(-250)).toBe('−2.50%');
    expect(percentChange(1200)).toBe('+12.00%');
    expect(percentChange(0)).toBe('0.00%');
    expect(percentChange(null)).toBe('—');
  });

  it('reads typed numbers without floats', () => {
    expect(wholeNumber(' 100 ')).toBe(100);
    expect(wholeNumber('1e3')).toBeNull();
    expect(wholeNumber('')).toBeNull();
    expect(decimalText('0.035')).toBe('0.035');
    expect(decimalText('-1')).toBeNull();
    expect(decimalText('abc')).toBeNull();
  });

  it('turns a typed percent into basis points without floats', () => {
    expect(percentInput('30')).toEqual({ basisPoints: 3000 });
    expect(percentInput(' 2.5 ')).toEqual({ basisPoints: 250 });
    expect(percentInput('0.05')).toEqual({ basisPoints: 5 });
    expect(percentInput('99.99')).toEqual({ basisPoints: 9999 });
    expect(percentInput('100')).toEqual({ basisPoints: 10000 });
    expect(percentInput('0')).toEqual({ basisPoints: 0 });
    // 0.1 + 0.2 style float noise cannot creep in: 4.35 * 100 is 434.99999 in floats.
    expect(percentInput('4.35')).toEqual({ basisPoints: 435 });
    for (const bad of ['', ' ', '101', '1.234', '-5', '5%', 'abc', '1e2', '.5']) {
      expect(percentInput(bad)).toBeNull();
    }
  });

  it('reads and shows 0–5 scores in tenths', () => {
    expect(scoreInput('4.5')).toBe(45);
    expect(scoreInput('4')).toBe(40);
    expect(scoreInput('5.1')).toBeNull();
    expect(scoreInput('4.55')).toBeNull();
    expect(scoreInput('')).toBeNull();
    expect(score(45)).toBe('4.5 / 5');
    expect(score(50)).toBe('5.0 / 5');
    expect(score(null)).toBe('—');
  });

  it('shows weights and sizes', () => {
    expect(weight(350)).toBe('350 g');
    expect(weight(1250)).toBe('1.25 kg');
    expect(weight(2000)).toBe('2 kg');
    expect(weight(null)).toBe('—');
    expect(dimensions({ lengthMm: 300, widthMm: 205, heightMm: 100 })).toBe('30 × 20.5 × 10 cm');
    expect(dimensions({ lengthMm: 300, widthMm: null, heightMm: null })).toBe('30 × ? × ? cm');
    expect(dimensions({ lengthMm: null, widthMm: null, heightMm: null })).toBe('—');
    expect(dimensions(null)).toBe('—');
  });

  it('shows UTC times in local time and ages in minutes', () => {
    const utc = '2026-11-28T08:05:00.000Z';
    const local = new Date(utc);
    expect(localTime(utc)).toBe(
      `2026-11-${String(local.getDate()).padStart(2, '0')} ${String(local.getHours()).padStart(2, '0')}:05`,
    );
    expect(localTime('not a time')).toBe('not a time');
    expect(localDate(utc)).toBe(localTime(utc).slice(0, 10));
    expect(minutesAgo(utc, new Date('2026-11-28T08:17:59Z'))).toBe(12);
    expect(minutesAgo(utc, new Date('2026-11-28T08:00:00Z'))).toBe(0);
  });

  it('shows sizes in readable units', () => {
    expect(bytes(512)).toBe('512 B');
    expect(bytes(1536)).toBe('1.5 KiB');
    expect(bytes(452 * 1024 * 1024)).toBe('452.0 MiB');
  });

  it('marks typed text a field cannot use, never an empty field', () => {
    expect(unusable('', wholeNumber)).toBe(false);
    expect(unusable('   ', decimalText)).toBe(false);
    expect(unusable('12', wholeNumber)).toBe(false);
    expect(unusable('12.5', wholeNumber)).toBe(true);
    expect(unusable('abc', decimalText)).toBe(true);
    expect(unusable('101', percentInput)).toBe(true);
  });
});
