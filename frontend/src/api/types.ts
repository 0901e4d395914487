// Wire types of the Ramal HTTP API (see the server's API contract). Field names match the JSON.

export type Role = 'admin' | 'agent';

export interface Agent {
  id: number;
  username: string;
  display_name: string;
  identity: string;
  role: Role;
  active: boolean;
  available: boolean;
}

export interface LoginResponse {
  token: string;
  /** Unix seconds. */
  expires_at: number;
  agent: Agent;
}

export interface Settings {
  language: string;
  default_country_code: string;
  demo: boolean;
  twilio_configured: boolean;
  /** Agent ids who ring for inbound calls; null means every active agent. */
  inbound_group: number[] | null;
  ring_timeout_secs: number;
  allowed_destinations: string[];
}

export interface TokenInfo {
  token: string;
  identity: string;
  /** Unix seconds (server clock). */
  expires_at: number;
  ttl_secs: number;
}

export type CallDirection = 'inbound' | 'outbound' | 'internal';

export const CALL_STATUSES = [
  'queued',
  'initiated',
  'ringing',
  'in-progress',
  'completed',
  'busy',
  'no-answer',
  'failed',
  'canceled',
  'voicemail',
] as const;

/** Known statuses; the server may add more, shown raw. */
export type CallStatus = (typeof CALL_STATUSES)[number] | (string & {});

export interface CallLeg {
  call_sid: string;
  parent_call_sid: string | null;
  direction: string;
  from: string;
  to: string;
  status: string;
  duration: number | null;
  agent_id: number | null;
}

export type FilingState = 'pending' | 'running' | 'done' | 'dead';

export interface Recording {
  recording_sid: string;
  status: string;
  duration: number | null;
  channels: number | null;
  is_voicemail: boolean;
  playback_url: string | null;
  drive_file_url: string | null;
  filing: FilingState | null;
  last_error: string | null;
}

export interface Call {
  id: number;
  call_sid: string;
  from_number: string;
  to_number: string;
  direction: CallDirection;
  status: CallStatus;
  duration: number | null;
  recording_url: string | null;
  recording_sid: string | null;
  drive_file_url: string | null;
  user_id: number | null;
  user_name: string | null;
  contact_wa_id: string | null;
  contact_name: string | null;
  channel_id: number | string | null;
  created_at: string;
  updated_at: string | null;
  started_at: string | null;
  answered_at: string | null;
  ended_at: string | null;
  voicemail: boolean;
  legs: CallLeg[];
  recordings: Recording[];
}

export interface CallPage {
  items: Call[];
  next_cursor: string | null;
  /** Counted on the first page only (null on later pages: counting is a scan). */
  total: number | null;
}

export type PresenceState = 'available' | 'away' | 'offline';

export interface PresenceEvent {
  agent_id: number;
  state: PresenceState;
}

export interface DemoIncoming {
  call_sid: string;
  from: string;
}

export interface NewAgent {
  username: string;
  display_name: string;
  password: string;
  role: Role;
}

export interface AgentPatch {
  display_name?: string;
  role?: Role;
  active?: boolean;
}
