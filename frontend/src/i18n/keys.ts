// The set of message keys is the Portuguese catalogue's: the English one must match it exactly
// (enforced by its type and by test/i18n.test.ts).
import type { ptBR } from './pt-BR';

export type MessageKey = keyof typeof ptBR;

import { ptBR as catalogue } from './pt-BR';

/** Narrows a computed key (e.g. `status.${status}`) to a known one. */
export function isMessageKey(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(catalogue, key);
}
