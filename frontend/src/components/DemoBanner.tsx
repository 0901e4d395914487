import { useState } from 'preact/hooks';
import { useApp, useT } from '../app/context';

const SAMPLE_CALLERS = ['+5531999990001', '+5511988887777', '+5521977776666'];

/** Demo mode notice, with a button that makes a simulated customer call in. */
export function DemoBanner() {
  const { api } = useApp();
  const t = useT();
  const [note, setNote] = useState<string | null>(null);
  const simulate = () => {
    const from = SAMPLE_CALLERS[Math.floor(Math.random() * SAMPLE_CALLERS.length)] ?? '+5531999990001';
    api.demoInbound(from).then(
      () => setNote(t('demo.inboundSent')),
      (err: unknown) => setNote(t('demo.inboundFailed', { message: String(err) })),
    );
  };
  return (
    <div class="demo-banner" role="note" data-testid="demo-banner">
      <span>{t('demo.banner')}</span>
      <button type="button" class="btn btn-small" onClick={simulate} data-testid="demo-inbound">
        {t('demo.simulateInbound')}
      </button>
      {note && (
        <span class="muted" role="status">
          {note}
        </span>
      )}
    </div>
  );
}
