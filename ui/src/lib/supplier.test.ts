import { describe, expect, it } from 'vitest';
import { badgePhrases, offerMetrics, place, servicePhrases, type Phrase } from './supplier';
import type { Offer } from '../bindings/Offer';
import type { Shipping } from '../bindings/Shipping';
import type { Supplier } from '../bindings/Supplier';
import type { SupplierSummary } from '../bindings/SupplierSummary';

const NO_SCORES = { composite: null, logistics: null, dispute: null, offer: null, afterSales: null, consulting: null };

function supplier(over: Partial<Supplier> = {}): Supplier {
  return {
    name: '义乌市某某服饰有限公司',
    loginId: null,
    openId: null,
    province: '浙江',
    city: '义乌',
    tpYears: null,
    badges: null,
    tradeMedalLevel: null,
    scores: NO_SCORES,
    repurchaseRate: null,
    pickup48hRate: null,
    qualityRefundRate: null,
    ...over,
  };
}

function summary(over: Partial<SupplierSummary> = {}): SupplierSummary {
  return {
    name: 'x',
    province: null,
    city: null,
    tpYears: null,
    powerMerchant: false,
    superFactory: false,
    repurchaseRate: null,
    serviceScoreTenths: null,
    pickup48hRate: null,
    qualityRefundRate: null,
    ...over,
  };
}

const keys = (phrases: Phrase[]) => phrases.map((p) => p.key);
const bp = (basisPoints: number) => ({ basisPoints });

describe('supplier badges', () => {
  it('shows nothing for no supplier or no badges', () => {
    expect(badgePhrases(null)).toEqual([]);
    expect(badgePhrases(supplier())).toEqual([]);
    expect(badgePhrases(summary())).toEqual([]);
  });

  it('lists 实力商家 and 超级工厂 in that order', () => {
    const s = supplier({ badges: { powerMerchant: true, superFactory: true, tpMember: false } });
    expect(keys(badgePhrases(s))).toEqual(['supplier.powerMerchant', 'supplier.superFactory']);
    expect(keys(badgePhrases(summary({ superFactory: true, powerMerchant: true })))).toEqual([
      'supplier.powerMerchant',
      'supplier.superFactory',
    ]);
  });

  it('gives 诚信通 years when asked and known, else the membership', () => {
    const member = { powerMerchant: false, superFactory: false, tpMember: true };
    expect(badgePhrases(supplier({ badges: member, tpYears: 7 }), true)).toEqual([
      { key: 'supplier.tpYears', params: { years: '7' } },
    ]);
    expect(badgePhrases(supplier({ tpYears: 3 }), true)).toEqual([{ key: 'supplier.tpYears', params: { years: '3' } }]);
    expect(keys(badgePhrases(supplier({ badges: member }), true))).toEqual(['supplier.tpMember']);
    expect(keys(badgePhrases(supplier({ badges: member })))).toEqual(['supplier.tpMember']);
  });

  it('does not repeat membership where the years are shown beside the badges', () => {
    const member = { powerMerchant: false, superFactory: false, tpMember: true };
    expect(badgePhrases(supplier({ badges: member, tpYears: 7 }))).toEqual([]);
    expect(badgePhrases(summary({ tpYears: 7 }))).toEqual([]);
  });

  it('reads the place from province and city', () => {
    expect(place(supplier())).toBe('浙江 义乌');
    expect(place(supplier({ city: null }))).toBe('浙江');
    expect(place(summary())).toBe('');
  });
});

describe('service signals', () => {
  it('shows only what 1688 said', () => {
    expect(servicePhrases(null)).toEqual([]);
    expect(servicePhrases(supplier())).toEqual([]);
    expect(servicePhrases(summary())).toEqual([]);
  });

  it('gives a stored supplier its score, repeat buyers, pickup and refunds', () => {
    const s = supplier({
      scores: { ...NO_SCORES, composite: 45 },
      repurchaseRate: bp(3200),
      pickup48hRate: bp(9700),
      qualityRefundRate: bp(50),
    });
    expect(servicePhrases(s)).toEqual([
      { key: 'metric.service', params: { score: '4.5 / 5' } },
      { key: 'metric.supplierRepurchase', params: { rate: '32%' } },
      { key: 'metric.pickup48h', params: { rate: '97%' } },
      { key: 'metric.qualityRefund', params: { rate: '0.5%' } },
    ]);
  });

  it('leaves repeat buyers out of a result row, which has a column for them', () => {
    const s = summary({ serviceScoreTenths: 45, repurchaseRate: bp(3200), pickup48hRate: bp(9700) });
    expect(keys(servicePhrases(s))).toEqual(['metric.service', 'metric.pickup48h']);
  });

  it('shows a rate 1688 measured as zero', () => {
    expect(servicePhrases(supplier({ pickup48hRate: bp(0) }))).toEqual([{ key: 'metric.pickup48h', params: { rate: '0%' } }]);
  });
});

describe('search item metrics', () => {
  const shipping: Shipping = {
    origin: null,
    unitWeightGrams: null,
    dimensions: null,
    dispatchHours: null,
    perfectFulfilment30d: null,
    pickup24h30d: null,
    qualityReturn30d: null,
    delayedShipping7d: null,
  };
  const offer = (over: Partial<Offer>) => ({ shipping, supplier: null, onePieceDropship: null, ...over }) as Offer;

  it('is empty when 1688 said nothing', () => {
    expect(offerMetrics(offer({}))).toEqual({ main: [], more: [] });
  });

  it('puts what a buyer scans for first and the rest after', () => {
    const metrics = offerMetrics(
      offer({
        shipping: { ...shipping, dispatchHours: 48, pickup24h30d: bp(9000), perfectFulfilment30d: bp(9950) },
        onePieceDropship: true,
        supplier: supplier({ scores: { ...NO_SCORES, composite: 40 }, repurchaseRate: bp(2500) }),
      }),
    );
    expect(keys(metrics.main)).toEqual(['metric.dispatch', 'metric.onePiece', 'metric.pickup24h', 'metric.service']);
    expect(metrics.main[0]?.params).toEqual({ hours: '48' });
    expect(keys(metrics.more)).toEqual(['metric.perfect', 'metric.supplierRepurchase']);
    expect(metrics.more[0]?.params).toEqual({ rate: '99.5%' });
  });
});
