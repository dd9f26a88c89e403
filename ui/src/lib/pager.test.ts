import { describe, expect, it } from 'vitest';
import { pageCount, pagerMoves, rowNumber, shownRange } from './pager';

describe('pager math', () => {
  it('counts pages, rounding up, never fewer than one', () => {
    expect(pageCount(0, 20)).toBe(1);
    expect(pageCount(1, 20)).toBe(1);
    expect(pageCount(20, 20)).toBe(1);
    expect(pageCount(21, 20)).toBe(2);
    expect(pageCount(2000, 50)).toBe(40);
  });

  it('treats a missing or broken page size as one page', () => {
    expect(pageCount(35, 0)).toBe(1);
    expect(pageCount(35, -5)).toBe(1);
    expect(pageCount(35, Number.NaN)).toBe(1);
  });

  it('names the rows a page shows', () => {
    expect(shownRange(1, 20, 20)).toEqual({ first: 1, last: 20 });
    expect(shownRange(3, 20, 7)).toEqual({ first: 41, last: 47 });
    expect(shownRange(2, 20, 0)).toEqual({ first: 0, last: 0 });
  });

  it('numbers rows across pages', () => {
    expect(rowNumber(1, 50, 0)).toBe(1);
    expect(rowNumber(2, 50, 0)).toBe(51);
    expect(rowNumber(3, 50, 9)).toBe(110);
    expect(rowNumber(0, 50, 4)).toBe(5);
  });

  it('moves only within the pages there are', () => {
    expect(pagerMoves(1, 1)).toEqual({ prev: false, next: false });
    expect(pagerMoves(1, 3)).toEqual({ prev: false, next: true });
    expect(pagerMoves(2, 3)).toEqual({ prev: true, next: true });
    expect(pagerMoves(3, 3)).toEqual({ prev: true, next: false });
  });
});
