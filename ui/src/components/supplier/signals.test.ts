import { describe, expect, it } from 'vitest';
import { translate, type MessageKey } from '../../lib/i18n';
import { changeText, rateChart } from './signals';
import type { SupplierObservation } from '../../bindings/SupplierObservation';
import type { SupplierSignals } from '../../bindings/SupplierSignals';

const en = (key: MessageKey, params?: Record<string, string>) => translate('en', key, params);
const zh = (key: MessageKey, params?: Record<string, string>) => translate('zh-CN', key, params);

function seen(observedAt: string, signals: Partial<SupplierSignals>): SupplierObservation {
  return {
    observedAt,
    signals: {
      tpYears: null,
      badges: null,
      tradeMedalLevel: null,
      scores: { composite: null, logistics: null, dispute: null, offer: null, afterSales: null, consulting: null },
      repurchaseRate: null,
      pickup48hRate: null,
      qualityRefundRate: null,
      ...signals,
    },
  };
}

describe('rateChart', () => {
  it('draws each rate 1688 said in percent, with gaps where it did not', () => {
    const chart = rateChart(
      [
        seen('2026-11-01T00:00:00.000Z', { pickup48hRate: { basisPoints: 9800 }, repurchaseRate: { basisPoints: 4666 } }),
        seen('2026-11-02T00:00:00.000Z', { pickup48hRate: { basisPoints: 9550 } }),
      ],
      en,
    );
    expect(chart.x).toEqual([Date.parse('2026-11-01T00:00:00Z') / 1000, Date.parse('2026-11-02T00:00:00Z') / 1000]);
    // No quality-refund rate was ever said: no line for it.
    expect(chart.series.map((s) => [s.label, s.values])).toEqual([
      ['Picked up within 48 h (30 days)', [98, 95.5]],
      ['Repeat buyers (回头率)', [46.66, null]],
    ]);
  });
});

describe('changeText', () => {
  it('names badges, years, medal and score changes in the user language', () => {
    const at = '2026-11-02T00:00:00.000Z';
    expect(changeText({ kind: 'gained', at, badge: 'powerMerchant' }, en)).toBe('became 实力商家');
    expect(changeText({ kind: 'lost', at, badge: 'tpMember' }, en)).toBe('no longer 诚信通');
    expect(changeText({ kind: 'tpYears', at, from: 6, to: 7 }, en)).toBe('诚信通 6 → 7 years');
    expect(changeText({ kind: 'medal', at, from: 3, to: 4 }, en)).toBe('Trade medal level 3 → 4');
    expect(changeText({ kind: 'composite', at, from: 45, to: 47 }, en)).toBe('Overall service score 4.5 / 5 → 4.7 / 5');
    expect(changeText({ kind: 'gained', at, badge: 'superFactory' }, zh)).toBe('成为超级工厂');
    expect(changeText({ kind: 'tpYears', at, from: 6, to: 7 }, zh)).toBe('诚信通 6 → 7 年');
  });
});
