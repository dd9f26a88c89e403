import { describe, expect, it } from 'vitest';
import { translate } from '../../lib/i18n';
import { DASHBOARD, figure, thresholdText, trendX, unitOf, valueText } from './format';

const en = (key: Parameters<typeof translate>[1], params?: Record<string, string>) => translate('en', key, params);
const zh = (key: Parameters<typeof translate>[1], params?: Record<string, string>) => translate('zh-CN', key, params);

describe('health figures', () => {
  it('never rounds a missed threshold onto its good side', () => {
    expect(figure(99.496, 'percent', 'atLeast')).toBe('99.49');
    expect(figure(99.5, 'percent', 'atLeast')).toBe('99.5');
    expect(figure(100, 'percent', 'atLeast')).toBe('100');
    expect(figure(500.2, 'ms', 'atMost')).toBe('501');
    expect(figure(500, 'ms', 'atMost')).toBe('500');
    expect(figure(3.04, 'ms')).toBe('3');
    expect(figure(10.4, 'minutes', 'atMost')).toBe('11');
    expect(figure(0.25, 'minutes', 'atMost')).toBe('0.3');
    expect(figure(7, 'count', 'atMost')).toBe('7');
  });

  it('reads value and threshold with units in both languages', () => {
    expect(valueText(en, 'successRate', 97.25, 'atLeast')).toBe('97.25%');
    expect(valueText(en, 'latencyMeanMs', 123.4, 'atMost')).toBe('124 ms');
    expect(valueText(zh, 'latencyMeanMs', 123.4, 'atMost')).toBe('124 毫秒');
    expect(valueText(zh, 'updateLagMaxMinutes', null)).toBe('—');
    expect(thresholdText(en, 'successRate', { limit: 99.5, direction: 'atLeast' })).toBe('Threshold: at least 99.5%');
    expect(thresholdText(zh, 'throttledToday', { limit: 10, direction: 'atMost' })).toBe('阈值：不超过 10 次');
  });

  it('shows the five targets of the brief, each once', () => {
    expect(DASHBOARD.map((d) => d.key)).toEqual([
      'successRate',
      'latencyMeanMs',
      'cacheHitRate',
      'throttledToday',
      'updateLagMaxMinutes',
    ]);
    expect(DASHBOARD.map((d) => unitOf(d.key))).toEqual(['percent', 'ms', 'percent', 'count', 'minutes']);
  });

  it('places trend points in seconds', () => {
    expect(trendX([{ at: '2026-11-30T10:00:00Z' }])).toEqual([Date.UTC(2026, 10, 30, 10) / 1000]);
  });
});
