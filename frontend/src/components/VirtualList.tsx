// A windowed list of fixed-height rows (see virtual-range.ts). Calls `onNearEnd` when the user
// scrolls close to the last loaded row, for infinite loading.
import type { VNode } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { prependedCount, visibleRange } from './virtual-range';

interface Props<T> {
  items: readonly T[];
  rowHeight: number;
  getKey: (item: T) => string | number;
  renderRow: (item: T, index: number) => VNode;
  onNearEnd?: () => void;
  nearEndRows?: number;
  label: string;
  testId?: string;
  footer?: VNode | null;
}

export function VirtualList<T>(props: Props<T>) {
  const { items, rowHeight } = props;
  const ref = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);
  const firstKey = useRef<string | number | undefined>(undefined);

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return undefined;
    const measure = () => setHeight(el.clientHeight || 600);
    measure();
    if (typeof ResizeObserver === 'function') {
      const ro = new ResizeObserver(measure);
      ro.observe(el);
      return () => ro.disconnect();
    }
    window.addEventListener('resize', measure);
    return () => window.removeEventListener('resize', measure);
  }, []);

  // Keep the rows in view steady when live calls are prepended above them.
  useLayoutEffect(() => {
    const el = ref.current;
    const head = items[0];
    const newKey = head === undefined ? undefined : props.getKey(head);
    if (el && el.scrollTop > 0 && newKey !== firstKey.current) {
      const n = prependedCount(items.map(props.getKey), firstKey.current);
      if (n > 0) el.scrollTop += n * rowHeight;
    }
    firstKey.current = newKey;
  }, [items]);

  const range = visibleRange(scrollTop, height, rowHeight, items.length);
  const nearEnd = props.nearEndRows ?? 15;
  useEffect(() => {
    if (props.onNearEnd && items.length > 0 && range.end >= items.length - nearEnd) {
      props.onNearEnd();
    }
  }, [range.end, items.length]);

  const rows: VNode[] = [];
  for (let i = range.start; i < range.end; i++) {
    const item = items[i] as T;
    rows.push(
      <div
        key={props.getKey(item)}
        role="listitem"
        aria-setsize={items.length}
        aria-posinset={i + 1}
        class="vrow"
        style={{ top: `${i * rowHeight}px`, height: `${rowHeight}px` }}
      >
        {props.renderRow(item, i)}
      </div>,
    );
  }

  return (
    <div
      ref={ref}
      class="vlist"
      onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
      data-testid={props.testId}
    >
      <div role="list" aria-label={props.label} class="vlist-inner" style={{ height: `${items.length * rowHeight}px` }}>
        {rows}
      </div>
      {props.footer}
    </div>
  );
}
