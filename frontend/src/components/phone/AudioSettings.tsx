// Microphone / speaker choice, shown when the device supports it.
import { useT, useWorkspace } from '../../app/context';
import type { AudioView } from '../../phone/phone-state';

export function AudioSettings({ audio }: { audio: AudioView }) {
  const t = useT();
  const ws = useWorkspace();
  if (audio.inputs.length === 0 && audio.outputs.length === 0) return null;
  return (
    <details class="audio-settings">
      <summary>{t('audio.title')}</summary>
      {audio.inputs.length > 0 && (
        <label class="field">
          <span>{t('audio.input')}</span>
          <select
            value={audio.input ?? ''}
            onChange={(e) => void ws.phone.setInput(e.currentTarget.value).catch(() => undefined)}
            data-testid="audio-input"
          >
            {audio.input == null && <option value="">{t('audio.default')}</option>}
            {audio.inputs.map((d) => (
              <option key={d.id} value={d.id}>
                {d.label}
              </option>
            ))}
          </select>
        </label>
      )}
      {audio.outputSelectable && audio.outputs.length > 0 && (
        <label class="field">
          <span>{t('audio.output')}</span>
          <select
            value={audio.output ?? ''}
            onChange={(e) => void ws.phone.setOutput(e.currentTarget.value).catch(() => undefined)}
            data-testid="audio-output"
          >
            {audio.output == null && <option value="">{t('audio.default')}</option>}
            {audio.outputs.map((d) => (
              <option key={d.id} value={d.id}>
                {d.label}
              </option>
            ))}
          </select>
        </label>
      )}
      {!audio.outputSelectable && <p class="muted small">{t('audio.outputUnsupported')}</p>}
    </details>
  );
}
