// What the chart wrapper hands uPlot, kept apart from the component so it can be tested
// without a canvas: the data in uPlot's column layout, and a y range that shows the threshold.

/** One line of a chart: its label (already in the user's language) and one value per x. */
export interface ChartSeries {
  label: string;
  /** `null` where nothing was measured: a gap, never a zero. */
  values: (number | null)[];
  /** A CSS colour or variable name (`--accent`); the accent colour when left out. */
  color?: string;
}

/** A point called out on a chart (x in the chart's units, y a value), with a short label
 * drawn above it, or below with `below`. */
export interface ChartMark {
  x: number;
  y: number;
  label?: string;
  color?: string;
  below?: boolean;
}

/** A horizontal line the values are judged against. */
export interface ChartThreshold {
  value: number;
  label: string;
}

/** uPlot's data: the x values, then each series' values, all the same length. */
export function columns(x: number[], series: ChartSeries[]): (number | null)[][] {
  return [x, ...series.map((s) => x.map((_, i) => s.values[i] ?? null))];
}

/** How many values are drawn (not gaps), over all series. */
export function pointCount(series: ChartSeries[]): number {
  return series.reduce((n, s) => n + s.values.filter((v) => v != null && Number.isFinite(v)).length, 0);
}

/** The y range: the values' and the threshold's, with some room, fixed bounds where given
 * (a percentage never goes above 100). A flat line gets a band around it. */
export function yRange(
  series: ChartSeries[],
  threshold: ChartThreshold | null,
  bounds: { min?: number; max?: number } = {},
): [number, number] {
  const values = series.flatMap((s) => s.values).filter((v): v is number => v != null && Number.isFinite(v));
  if (threshold) values.push(threshold.value);
  if (values.length === 0) return [bounds.min ?? 0, bounds.max ?? 1];
  let low = Math.min(...values);
  let high = Math.max(...values);
  const room = high === low ? Math.max(Math.abs(high) * 0.1, 1) : (high - low) * 0.1;
  low -= room;
  high += room;
  if (bounds.min != null) low = Math.max(low, bounds.min);
  if (bounds.max != null) high = Math.min(high, bounds.max);
  if (high <= low) high = low + 1;
  return [low, high];
}

/** A colour from `app.css`'s variables (`--accent`), or the colour itself. */
export function cssColor(color: string, style: Pick<CSSStyleDeclaration, 'getPropertyValue'>): string {
  return color.startsWith('--') ? style.getPropertyValue(color).trim() || '#888' : color;
}
