// The pure arithmetic of PriceChart, apart so it can be tested without a DOM.

/** The smallest and largest of `values`, or `null` when there are none. A loop, not
 * `Math.min(...values)`: spreading passes every value as an argument, and engines throw a
 * RangeError past some tens of thousands of them. */
export function extent(values: readonly number[]): { low: number; high: number } | null {
  if (values.length === 0) return null;
  let low = Infinity;
  let high = -Infinity;
  for (const value of values) {
    if (value < low) low = value;
    if (value > high) high = value;
  }
  return { low, high };
}
