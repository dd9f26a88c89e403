import { describe, expect, it } from 'vitest';
import { overlay } from './overlay';
import type { PriceHistory } from '../../bindings/PriceHistory';

function history(offerId: string, points: [string, string][]): PriceHistory {
  return {
    offerId,
    title: `offer ${offerId}`,
    qty: 100,
    range: '30d',
    from: null,
    to: '2026-11-30T00:00:00.000Z',
    series: [
      {
        of: { kind: 'quantity', qty: 100 },
        points: points.map(([at, price]) => ({ at, price })),
        low: null,
        high: null,
        current: null,
        observations: points.length,
      },
    ],
  };
}

describe('overlay', () => {
  it('puts every line on the union of times, holding each price until it changes', () => {
    const chart = overlay([
      history('1', [
        ['2026-11-01T00:00:00.000Z', '10.5'],
        ['2026-11-03T00:00:00.000Z', '9.8'],
      ]),
      history('2', [
        ['2026-11-02T00:00:00.000Z', '12'],
        ['2026-11-04T00:00:00.000Z', '11'],
      ]),
    ]);
    expect(chart.x).toHaveLength(4);
    expect(chart.series[0]!.values).toEqual([10.5, 10.5, 9.8, null]);
    expect(chart.series[1]!.values).toEqual([null, 12, 12, 11]);
    expect(chart.series.map((s) => s.label)).toEqual(['offer 1', 'offer 2']);
  });
});
