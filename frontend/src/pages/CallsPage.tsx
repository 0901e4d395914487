// Call history: filters, a windowed list loaded page by page (cursor), live updates from the
// event stream, and a detail panel with the recordings.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { mergeLiveCall, type CallFilters } from '../api/call-filters';
import type { Agent, Call } from '../api/types';
import { useApp, useStore, useT, useWorkspace } from '../app/context';
import { VirtualList } from '../components/VirtualList';
import { CallDetail } from '../components/calls/CallDetail';
import { CallFiltersBar } from '../components/calls/CallFiltersBar';
import { CallRow } from '../components/calls/CallRow';

const ROW_HEIGHT = 52;
const PAGE = 50;

interface ListState {
  items: Call[];
  cursor: string | null;
  total: number;
  loading: boolean;
  /** The first page arrived for the current filters. */
  loaded: boolean;
  error: string | null;
}

const EMPTY: ListState = { items: [], cursor: null, total: 0, loading: false, loaded: false, error: null };

export function CallsPage() {
  const { api } = useApp();
  const ws = useWorkspace();
  const t = useT();
  const { i18n } = useApp();
  const streamStatus = useStore(ws.stream.status);
  const country = ws.settings.default_country_code || '55';
  const [filters, setFilters] = useState<CallFilters>({});
  const [numberText, setNumberText] = useState('');
  const [list, setList] = useState<ListState>(EMPTY);
  const [selected, setSelected] = useState<Call | null>(null);
  const [agents, setAgents] = useState<Agent[] | null>(null);
  const req = useRef(0);
  const listRef = useRef(list);
  listRef.current = list;
  const filtersRef = useRef(filters);
  filtersRef.current = filters;

  // Debounce the number search.
  useEffect(() => {
    const id = setTimeout(() => {
      setFilters((f) => ((f.number ?? '') === numberText ? f : { ...f, number: numberText }));
    }, 300);
    return () => clearTimeout(id);
  }, [numberText]);

  useEffect(() => {
    if (ws.agent.role !== 'admin') return;
    api.agents().then(setAgents, () => setAgents(null));
  }, []);

  const load = useCallback(
    (reset: boolean) => {
      const current = listRef.current;
      if (!reset && (current.loading || !current.cursor)) return;
      const id = ++req.current;
      setList((l) => ({ ...(reset ? EMPTY : l), loading: true, error: null }));
      api.callLogs(filtersRef.current, reset ? null : current.cursor, PAGE).then(
        (page) => {
          if (id !== req.current) return;
          setList((l) => {
            const base = reset ? [] : l.items;
            const seen = new Set(base.map((c) => c.id));
            return {
              items: [...base, ...page.items.filter((c) => !seen.has(c.id))],
              cursor: page.next_cursor,
              total: page.total ?? (reset ? 0 : l.total),
              loading: false,
              loaded: true,
              error: null,
            };
          });
        },
        (err: unknown) => {
          if (id !== req.current) return;
          setList((l) => ({ ...l, loading: false, error: err instanceof Error ? err.message : String(err) }));
        },
      );
    },
    [api],
  );

  useEffect(() => load(true), [filters]);

  // Live updates; after a break in the stream, re-read the first page and merge it.
  useEffect(() => {
    const apply = (call: Call) => {
      setList((l) => {
        if (!l.loaded) return l;
        const r = mergeLiveCall(l.items, call, filtersRef.current, l.cursor == null);
        return r.items === l.items ? l : { ...l, items: r.items, total: Math.max(0, l.total + r.totalDelta) };
      });
      setSelected((s) => (s && s.id === call.id ? call : s));
    };
    const offCall = ws.stream.on('call', apply);
    const offOpen = ws.stream.on('open', (resumed) => {
      if (!resumed) return;
      api.callLogs(filtersRef.current, null, PAGE).then(
        (page) => page.items.slice().reverse().forEach(apply),
        () => undefined,
      );
    });
    return () => {
      offCall();
      offOpen();
    };
  }, []);

  const refreshOne = (sid: string) => {
    api.call(sid).then(
      (call) => {
        setSelected((s) => (s && s.id === call.id ? call : s));
        setList((l) => ({ ...l, items: l.items.map((c) => (c.id === call.id ? call : c)) }));
      },
      () => undefined,
    );
  };

  const footer =
    list.cursor || list.loading ? (
      <div class="list-footer">
        {list.loading ? (
          <span aria-live="polite">{t('common.loading')}</span>
        ) : (
          <button type="button" class="btn" onClick={() => load(false)} data-testid="load-more">
            {t('calls.loadMore')}
          </button>
        )}
      </div>
    ) : null;

  return (
    <div class="calls-page">
      <div class="page-head">
        <h1>{t('calls.title')}</h1>
        <span class="muted" data-testid="calls-total">
          {t(list.total === 1 ? 'calls.totalOne' : 'calls.total', { count: i18n.count(list.total) })}
        </span>
        <span class={`live live-${streamStatus}`} role="status" data-testid="live-status" data-status={streamStatus}>
          {streamStatus === 'open' ? t('calls.live.on') : t('calls.live.off')}
        </span>
        <a class="btn btn-ghost" href={api.exportUrl(filters)} download data-testid="export-csv">
          {t('calls.export')}
        </a>
      </div>
      <CallFiltersBar
        value={filters}
        numberText={numberText}
        onNumberText={setNumberText}
        onChange={setFilters}
        agents={agents}
        me={ws.agent}
      />
      {list.error && (
        <p class="form-error" role="alert">
          {t('calls.loadError', { message: list.error })}{' '}
          <button type="button" class="btn btn-small" onClick={() => load(list.items.length === 0)}>
            {t('common.retry')}
          </button>
        </p>
      )}
      <div class={`calls-body${selected ? ' with-detail' : ''}`}>
        <div class="calls-table">
          <div class="call-row call-head" aria-hidden="true">
            <span>
              <span class="sr-only">{t('calls.col.direction')}</span>
            </span>
            <span>{t('calls.col.number')}</span>
            <span>{t('calls.col.agent')}</span>
            <span>{t('calls.col.status')}</span>
            <span>{t('calls.col.duration')}</span>
            <span>{t('calls.col.date')}</span>
            <span>{t('calls.col.recording')}</span>
            <span />
          </div>
          {list.loaded && list.items.length === 0 ? (
            <p class="empty" data-testid="calls-empty">
              {t('calls.empty')}
            </p>
          ) : (
            <VirtualList
              items={list.items}
              rowHeight={ROW_HEIGHT}
              getKey={(c) => c.id}
              label={t('calls.title')}
              testId="call-list"
              onNearEnd={() => load(false)}
              footer={footer}
              renderRow={(call) => (
                <CallRow
                  call={call}
                  country={country}
                  selected={selected?.id === call.id}
                  onOpen={setSelected}
                  onCall={ws.callNumber}
                />
              )}
            />
          )}
        </div>
        {selected && (
          <CallDetail
            call={selected}
            country={country}
            onClose={() => setSelected(null)}
            onCall={ws.callNumber}
            onRefresh={refreshOne}
          />
        )}
      </div>
    </div>
  );
}
