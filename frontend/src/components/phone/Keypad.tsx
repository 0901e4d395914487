// 12-key pad, used by the dialer and for DTMF during a call.
import { useT } from '../../app/context';

const KEYS: Array<[string, string]> = [
  ['1', ''], ['2', 'ABC'], ['3', 'DEF'],
  ['4', 'GHI'], ['5', 'JKL'], ['6', 'MNO'],
  ['7', 'PQRS'], ['8', 'TUV'], ['9', 'WXYZ'],
  ['*', ''], ['0', ''], ['#', ''],
];

const NAMES: Record<string, string> = { '*': 'star', '#': 'hash' };

interface Props {
  onKey: (key: string) => void;
  /** data-testid prefix: "keypad" (dialer) or "dtmf" (in call). */
  testPrefix: string;
  label: string;
}

export function Keypad({ onKey, testPrefix, label }: Props) {
  const t = useT();
  return (
    <div class="keypad" role="group" aria-label={label}>
      {KEYS.map(([key, letters]) => (
        <button
          key={key}
          type="button"
          class="key"
          onClick={() => onKey(key)}
          aria-label={t('keypad.key', { key })}
          data-testid={`${testPrefix}-${NAMES[key] ?? key}`}
        >
          <span class="key-main">{key}</span>
          <span class="key-sub" aria-hidden="true">
            {letters}
          </span>
        </button>
      ))}
    </div>
  );
}
