// Call-history filters: their query string for /api/twilio/call-logs and the same test applied
// to calls arriving live through the event stream, so a live row never contradicts the filters.
import type { Call, CallDirection } from './types';

export interface CallFilters {
  direction?: CallDirection | '';
  status?: string;
  agentId?: number | null;
  /** Digits to search in either number. */
  number?: string;
  /** Local dates, `YYYY-MM-DD` (inclusive). */
  from?: string;
  to?: string;
  hasRecording?: boolean | null;
}

/** Start of a local day as RFC 3339 (with the browser's offset, so the server sees local days). */
export function dayStart(date: string): string {
  return toRfc3339(new Date(`${date}T00:00:00`));
}

/** First instant after a local day, as RFC 3339. */
export function dayEnd(date: string): string {
  const d = new Date(`${date}T00:00:00`);
  d.setDate(d.getDate() + 1);
  return toRfc3339(d);
}

function toRfc3339(d: Date): string {
  const pad = (n: number) => String(Math.abs(n)).padStart(2, '0');
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}` +
    `T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}` +
    `${sign}${pad(Math.trunc(off / 60))}:${pad(off % 60)}`
  );
}

/** Query parameters for the call-logs endpoints (list and CSV export). */
export function filtersToQuery(f: CallFilters, extra: Record<string, string> = {}): URLSearchParams {
  const q = new URLSearchParams();
  if (f.direction) q.set('direction', f.direction);
  if (f.status) q.set('status', f.status);
  if (f.agentId != null) q.set('agent_id', String(f.agentId));
  const digits = (f.number ?? '').replace(/\D/g, '');
  if (digits) q.set('number', digits);
  if (f.from) q.set('from', dayStart(f.from));
  if (f.to) q.set('to', dayEnd(f.to));
  if (f.hasRecording != null) q.set('has_recording', String(f.hasRecording));
  for (const [k, v] of Object.entries(extra)) q.set(k, v);
  return q;
}

/** Whether a call satisfies the filters (client-side twin of the server's query). */
export function matchesFilters(call: Call, f: CallFilters): boolean {
  if (f.direction && call.direction !== f.direction) return false;
  if (f.status && call.status !== f.status) return false;
  if (f.agentId != null) {
    const byLeg = call.legs.some((l) => l.agent_id === f.agentId);
    if (call.user_id !== f.agentId && !byLeg) return false;
  }
  const digits = (f.number ?? '').replace(/\D/g, '');
  if (digits) {
    const numbers = [call.from_number, call.to_number].map((n) => (n ?? '').replace(/\D/g, ''));
    if (!numbers.some((n) => n.includes(digits))) return false;
  }
  const created = Date.parse(call.created_at);
  if (f.from && created < Date.parse(dayStart(f.from))) return false;
  if (f.to && created >= Date.parse(dayEnd(f.to))) return false;
  if (f.hasRecording != null && hasRecording(call) !== f.hasRecording) return false;
  return true;
}

export function hasRecording(call: Call): boolean {
  return call.recordings.length > 0 || call.recording_sid != null || call.recording_url != null;
}

/** Result of merging a live call into a loaded list. */
export interface MergeResult {
  items: Call[];
  /** +1 when a new call was prepended, -1 when one left the filtered set, else 0. */
  totalDelta: number;
}

/**
 * Applies a live `call` event to a loaded (newest-first) list: replaces a known call in place,
 * drops it if it no longer matches, and inserts a newly matching call at its place by
 * `created_at` when that place is inside the loaded range (or everything is loaded). A call older
 * than the loaded range is left for the next page.
 */
export function mergeLiveCall(
  items: Call[],
  call: Call,
  f: CallFilters,
  complete = false,
): MergeResult {
  const idx = items.findIndex((c) => c.id === call.id);
  const matches = matchesFilters(call, f);
  if (idx >= 0) {
    if (!matches) return { items: items.filter((_, i) => i !== idx), totalDelta: -1 };
    const next = items.slice();
    next[idx] = call;
    return { items: next, totalDelta: 0 };
  }
  if (!matches) return { items, totalDelta: 0 };
  const created = Date.parse(call.created_at);
  const tail = items[items.length - 1];
  if (tail && !complete && created < Date.parse(tail.created_at)) return { items, totalDelta: 0 };
  let at = items.findIndex((c) => Date.parse(c.created_at) <= created);
  if (at < 0) at = items.length;
  const next = items.slice();
  next.splice(at, 0, call);
  return { items: next, totalDelta: 1 };
}
