// Number entry: typing, pasting (cleaned), the keypad, Enter to call, redial.
import { useEffect, useRef, useState } from 'preact/hooks';
import { useT, useWorkspace } from '../../app/context';
import type { MessageKey } from '../../i18n/keys';
import { cleanPasted, formatInternational, formatNumber, normalizeNumber } from '../../phone/number';
import { Keypad } from './Keypad';

interface Props {
  enabled: boolean;
  lastNumber: string | null;
  prefill: string | null;
  onPrefillUsed: () => void;
}

export function Dialer({ enabled, lastNumber, prefill, onPrefillUsed }: Props) {
  const t = useT();
  const ws = useWorkspace();
  const country = ws.settings.default_country_code || '55';
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<MessageKey | null>(null);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (prefill) {
      setText(prefill);
      onPrefillUsed();
      input.current?.focus();
    }
  }, [prefill]);

  const preview = text.trim() ? normalizeNumber(text, country) : null;

  const call = (value = text) => {
    const r = ws.phone.dial(value);
    if (r.ok) {
      setProblem(null);
      setText('');
    } else {
      setProblem(r.problem === 'not-ready' || r.problem === 'busy' ? `dialer.${r.problem}` : `number.${r.problem}`);
    }
  };

  const press = (key: string) => {
    setText((v) => v + key);
    setProblem(null);
    input.current?.focus();
  };

  return (
    <div class="dialer">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          call();
        }}
      >
        <div class="dial-row">
          <input
            ref={input}
            type="tel"
            inputMode="tel"
            autoComplete="off"
            class="dial-input"
            value={text}
            placeholder={t('dialer.placeholder')}
            aria-label={t('dialer.input')}
            aria-describedby="dial-hint"
            onInput={(e) => {
              setText(e.currentTarget.value);
              setProblem(null);
            }}
            onPaste={(e) => {
              const pasted = e.clipboardData?.getData('text');
              if (pasted == null) return;
              e.preventDefault();
              setText(cleanPasted(pasted));
              setProblem(null);
            }}
            data-testid="dial-input"
          />
          <button
            type="button"
            class="btn btn-icon"
            onClick={() => setText((v) => v.slice(0, -1))}
            aria-label={t('dialer.backspace')}
            disabled={!text}
            data-testid="dial-backspace"
          >
            ⌫
          </button>
        </div>
        <p id="dial-hint" class="dial-hint" aria-live="polite" data-testid="dial-hint">
          {problem
            ? null
            : preview?.ok
              ? t('dialer.willDial', { number: formatInternational(preview.e164) })
              : ''}
        </p>
        {problem && (
          <p class="form-error small" role="alert" data-testid="dial-error">
            {t(problem)}
          </p>
        )}
        <Keypad onKey={press} testPrefix="keypad" label={t('dialer.keypad')} />
        <div class="dial-actions">
          <button
            type="submit"
            class="btn btn-call"
            disabled={!enabled || !text.trim()}
            data-testid="dial-call"
          >
            {t('dialer.call')}
          </button>
          {lastNumber && (
            <button
              type="button"
              class="btn"
              disabled={!enabled}
              onClick={() => call(lastNumber)}
              aria-label={t('dialer.redial', { number: formatNumber(lastNumber, country) })}
              data-testid="dial-redial"
            >
              {t('dialer.redialShort')}
            </button>
          )}
        </div>
      </form>
    </div>
  );
}
