// Several offers' lines on one x axis: every observation time of any of them, each line
// holding its last price until its next one (a price holds until it changes), and a gap
// before its first and after its last observation.
import type { ChartSeries } from '../../lib/charts/options';
import type { PriceHistory } from '../../bindings/PriceHistory';

export function overlay(histories: PriceHistory[]): { x: number[]; series: ChartSeries[] } {
  const lines = histories.map((h) => ({
    label: h.title ?? h.offerId,
    points: (h.series[0]?.points ?? []).map((p) => [Date.parse(p.at) / 1000, Number(p.price)] as const),
  }));
  const x = [...new Set(lines.flatMap((l) => l.points.map(([at]) => at)))].sort((a, b) => a - b);
  const series = lines.map((line) => {
    let next = 0;
    let held: number | null = null;
    const last = line.points.length > 0 ? line.points[line.points.length - 1]![0] : -Infinity;
    const values = x.map((at) => {
      while (next < line.points.length && line.points[next]![0] <= at) held = line.points[next++]![1];
      return at > last ? null : held;
    });
    return { label: line.label, values };
  });
  return { x, series };
}
