// Sample data for tests.
import type { Call } from '../src/api/types';

/** A call with sensible defaults; `id` also orders created_at (higher = newer). */
export function call(id: number, p: Partial<Call> = {}): Call {
  return {
    id,
    call_sid: `CA${id}`,
    from_number: '+5531999990000',
    to_number: '+5531988887777',
    direction: 'outbound',
    status: 'completed',
    duration: 30,
    recording_url: null,
    recording_sid: null,
    drive_file_url: null,
    user_id: 1,
    user_name: 'Ana',
    contact_wa_id: null,
    contact_name: null,
    channel_id: null,
    created_at: new Date(Date.UTC(2026, 0, 10, 12, 0, 0) + id * 60_000).toISOString(),
    updated_at: null,
    started_at: null,
    answered_at: null,
    ended_at: null,
    voicemail: false,
    legs: [],
    recordings: [],
    ...p,
  };
}
