// Page arithmetic for every paged list (1688 search, stored offers, shortlists): one place
// that says how many pages there are and which rows a page shows.

/** How many pages `total` rows make at `pageSize` a page; never fewer than one, so an empty
 * list still reads "1 / 1". A page size that is not positive counts as one page. */
export function pageCount(total: number, pageSize: number): number {
  if (!(pageSize > 0) || !(total > 0)) return 1;
  return Math.ceil(total / pageSize);
}

/** The 1-based positions of the first and last row `page` shows, given how many it holds;
 * both 0 when it holds none. */
export function shownRange(page: number, pageSize: number, shown: number): { first: number; last: number } {
  if (shown <= 0) return { first: 0, last: 0 };
  const first = (Math.max(1, page) - 1) * pageSize + 1;
  return { first, last: first + shown - 1 };
}

/** The 1-based position in the whole list of the row at `index` on `page`. */
export function rowNumber(page: number, pageSize: number, index: number): number {
  return (Math.max(1, page) - 1) * pageSize + index + 1;
}

/** Whether the pager's buttons can move back and forward from `page` of `pages`. */
export function pagerMoves(page: number, pages: number): { prev: boolean; next: boolean } {
  return { prev: page > 1, next: page < pages };
}
