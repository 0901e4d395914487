// Labels for values that come from the server and may be new to this build.
import type { Call } from '../../api/types';
import type { Translate } from '../../i18n/i18n';
import { isMessageKey } from '../../i18n/keys';
import { formatNumber, isHiddenNumber } from '../../phone/number';

export function statusLabel(t: Translate, status: string): string {
  const key = `status.${status}`;
  return isMessageKey(key) ? t(key) : status;
}

export function directionLabel(t: Translate, direction: string): string {
  const key = `direction.${direction}`;
  return isMessageKey(key) ? t(key) : direction;
}

/** The customer's number of a call: the caller for inbound calls, else the callee. */
export function otherParty(call: Call): string {
  return call.direction === 'inbound' ? call.from_number : call.to_number;
}

export function numberLabel(t: Translate, raw: string | null | undefined, country: string): string {
  return isHiddenNumber(raw) ? t('calls.hiddenNumber') : formatNumber(raw, country);
}
