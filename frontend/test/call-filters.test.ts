import { describe, expect, it } from 'vitest';
import { filtersToQuery, matchesFilters, mergeLiveCall } from '../src/api/call-filters';
import { call } from './fixtures';


describe('filtersToQuery', () => {
  it('maps every filter to the contract parameter names', () => {
    const q = filtersToQuery(
      {
        direction: 'inbound',
        status: 'no-answer',
        agentId: 4,
        number: '(31) 9888',
        from: '2026-01-02',
        to: '2026-01-03',
        hasRecording: false,
      },
      { limit: '50' },
    );
    expect(q.get('direction')).toBe('inbound');
    expect(q.get('status')).toBe('no-answer');
    expect(q.get('agent_id')).toBe('4');
    expect(q.get('number')).toBe('319888');
    expect(q.get('has_recording')).toBe('false');
    expect(q.get('limit')).toBe('50');
    // Local midnight, as RFC 3339 with an offset; "to" is exclusive end of that day.
    expect(q.get('from')).toMatch(/^2026-01-02T00:00:00[+-]\d\d:\d\d$/);
    expect(q.get('to')).toMatch(/^2026-01-04T00:00:00[+-]\d\d:\d\d$/);
  });

  it('omits empty filters', () => {
    expect([...filtersToQuery({ direction: '', number: '  ', agentId: null, hasRecording: null }).keys()]).toEqual([]);
  });
});

describe('matchesFilters', () => {
  it('checks direction, status, agent (including legs), number digits, dates and recordings', () => {
    const c = call(1, {
      direction: 'inbound',
      status: 'completed',
      user_id: null,
      legs: [{ call_sid: 'CA9', parent_call_sid: 'CA1', direction: 'outbound-dial', from: '', to: '', status: 'completed', duration: 3, agent_id: 7 }],
      recordings: [{ recording_sid: 'RE1', status: 'completed', duration: 3, channels: 1, is_voicemail: false, playback_url: null, drive_file_url: null, filing: 'done', last_error: null }],
    });
    expect(matchesFilters(c, {})).toBe(true);
    expect(matchesFilters(c, { direction: 'inbound', status: 'completed', agentId: 7, hasRecording: true })).toBe(true);
    expect(matchesFilters(c, { direction: 'outbound' })).toBe(false);
    expect(matchesFilters(c, { agentId: 8 })).toBe(false);
    expect(matchesFilters(c, { hasRecording: false })).toBe(false);
    expect(matchesFilters(c, { number: '9999-0000' })).toBe(true);
    expect(matchesFilters(c, { number: '1234' })).toBe(false);
    const day = c.created_at.slice(0, 10);
    expect(matchesFilters(c, { from: '2030-01-01' })).toBe(false);
    expect(matchesFilters(c, { to: '2020-01-01' })).toBe(false);
    expect(matchesFilters(c, { from: '2020-01-01', to: '2030-01-01' })).toBe(true);
    expect(day).toMatch(/^2026-01-1/);
  });
});

describe('mergeLiveCall', () => {
  const list = [call(5), call(4), call(3)]; // newest first

  it('prepends a new call', () => {
    const r = mergeLiveCall(list, call(6), {});
    expect(r.items.map((c) => c.id)).toEqual([6, 5, 4, 3]);
    expect(r.totalDelta).toBe(1);
  });

  it('updates a known call in place', () => {
    const r = mergeLiveCall(list, call(4, { status: 'busy' }), {});
    expect(r.items.map((c) => c.id)).toEqual([5, 4, 3]);
    expect(r.items[1]?.status).toBe('busy');
    expect(r.totalDelta).toBe(0);
  });

  it('drops a call that no longer matches the filters', () => {
    const r = mergeLiveCall(list, call(4, { status: 'busy' }), { status: 'completed' });
    expect(r.items.map((c) => c.id)).toEqual([5, 3]);
    expect(r.totalDelta).toBe(-1);
  });

  it('ignores a new call that does not match', () => {
    const r = mergeLiveCall(list, call(6, { direction: 'inbound' }), { direction: 'outbound' });
    expect(r.items).toBe(list);
  });

  it('inserts a newly matching call in date order inside the loaded range', () => {
    const sparse = [call(9), call(5), call(1)];
    const r = mergeLiveCall(sparse, call(7), {});
    expect(r.items.map((c) => c.id)).toEqual([9, 7, 5, 1]);
  });

  it('leaves calls older than the loaded range to the next page, unless all is loaded', () => {
    const page = [call(9), call(8)];
    expect(mergeLiveCall(page, call(2), {}).items.map((c) => c.id)).toEqual([9, 8]);
    expect(mergeLiveCall(page, call(2), {}, true).items.map((c) => c.id)).toEqual([9, 8, 2]);
  });
});
