import { describe, expect, it } from 'vitest';
import { agePhrase, mixCheckPhrase, mixPhrase, orderPhrase, stockPhrase } from './facts';
import type { CompareColumn } from '../../bindings/CompareColumn';

function column(over: Partial<CompareColumn>): CompareColumn {
  return { order: null, stock: null, stockCovers: null, ...over } as CompareColumn;
}

describe('compare facts', () => {
  it('says how the order was rounded', () => {
    const order = { requestedQty: 500, minimumOrder: 200, lotSize: 200, orderQty: 600, raisedToMinimum: false, roundedToLot: true };
    expect(orderPhrase(order)).toEqual({
      key: 'compare.order.rounded',
      params: { requested: '500', order: '600', lot: '200' },
    });
    const raised = { ...order, lotSize: null, orderQty: 50, requestedQty: 20, raisedToMinimum: true, roundedToLot: false };
    expect(orderPhrase(raised)?.key).toBe('compare.order.raised');
    expect(orderPhrase(null)).toBeNull();
  });

  it('words the order a watch is priced for (Rust leaves it out when it is the quantity)', () => {
    const order = { requestedQty: 950, minimumOrder: 300, lotSize: 300, orderQty: 1200, raisedToMinimum: false, roundedToLot: true };
    expect(orderPhrase(order)).toEqual({
      key: 'compare.order.rounded',
      params: { requested: '950', order: '1200', lot: '300' },
    });
  });

  it('words ages, 混批 terms and stock', () => {
    expect(agePhrase(5)).toEqual({ key: 'compare.age.minutes', params: { minutes: '5' } });
    expect(agePhrase(180).key).toBe('compare.age.hours');
    expect(agePhrase(3000).key).toBe('compare.age.days');
    expect(mixPhrase({ allowed: true, minAmountYuan: 100, minPieces: null })).toEqual({
      key: 'compare.mix.amount',
      params: { amount: '100' },
    });
    expect(mixPhrase(null).key).toBe('compare.unknown');
    expect(mixPhrase({ allowed: false, minAmountYuan: null, minPieces: null }).key).toBe('compare.mix.none');
    expect(stockPhrase(column({ stock: 10, stockCovers: false })).key).toBe('compare.stock.short');
    expect(stockPhrase(column({})).key).toBe('compare.stock.unknown');
  });

  it('says whether a supplier\'s 混批 minimum is met across the list', () => {
    const terms = { allowed: true, minAmountYuan: 100, minPieces: 2 };
    const base = { terms, amount: '63.00', pieces: 21, counted: 2, offers: 2 };
    expect(mixCheckPhrase({ ...base, amountShort: '37.00', piecesShort: 0, met: false })).toEqual({
      key: 'compare.mixCheck.shortAmount',
      params: { short: '37.00', amount: '100' },
    });
    expect(mixCheckPhrase({ ...base, amountShort: '0.00', piecesShort: 0, met: true }).key).toBe('compare.mixCheck.metAmount');
  });
});
