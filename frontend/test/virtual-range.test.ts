import { describe, expect, it } from 'vitest';
import { prependedCount, visibleRange } from '../src/components/virtual-range';

describe('visibleRange', () => {
  it('renders only the visible rows plus overscan, whatever the list size', () => {
    for (const count of [100, 100_000]) {
      const r = visibleRange(52 * 5000, 520, 52, count, 6);
      const expected = count === 100 ? { start: 99, end: 100 } : { start: 4994, end: 5017 };
      expect(r).toEqual(expected);
      expect(r.end - r.start).toBeLessThanOrEqual(10 + 1 + 12);
    }
  });

  it('starts at the top', () => {
    expect(visibleRange(0, 520, 52, 100_000, 6)).toEqual({ start: 0, end: 17 });
  });

  it('handles empty lists and tiny viewports', () => {
    expect(visibleRange(0, 500, 52, 0)).toEqual({ start: 0, end: 0 });
    expect(visibleRange(0, 0, 52, 3, 0)).toEqual({ start: 0, end: 2 });
  });
});

describe('prependedCount', () => {
  it('counts rows added above the previous head', () => {
    expect(prependedCount([9, 8, 7, 6], 7)).toBe(2);
    expect(prependedCount([7, 6], 7)).toBe(0);
    expect(prependedCount([1, 2], 99)).toBe(0);
    expect(prependedCount([1, 2], undefined)).toBe(0);
  });
});
