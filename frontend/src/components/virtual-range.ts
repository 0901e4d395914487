// Which rows of a fixed-height list are worth rendering: the visible ones plus an overscan margin.
// Keeps the DOM at a few dozen rows whether 50 or 100,000 calls are loaded.

export interface Range {
  /** First index rendered. */
  start: number;
  /** One past the last index rendered. */
  end: number;
}

export function visibleRange(
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
  count: number,
  overscan = 6,
): Range {
  if (count <= 0 || rowHeight <= 0) return { start: 0, end: 0 };
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const visible = Math.ceil(Math.max(viewportHeight, rowHeight) / rowHeight) + 1;
  const start = Math.max(0, Math.min(count - 1, first - overscan));
  const end = Math.min(count, first + visible + overscan);
  return { start, end: Math.max(start, end) };
}

/**
 * Rows that were prepended when the head of the list changed from `oldFirstKey`: the scroll
 * position moves down by that many rows so what the user was reading stays in place.
 */
export function prependedCount<K>(keys: readonly K[], oldFirstKey: K | undefined): number {
  if (oldFirstKey === undefined) return 0;
  const idx = keys.indexOf(oldFirstKey);
  return idx > 0 ? idx : 0;
}
