// Plays a recording through its signed, expiring URL. The server supports Range requests, so
// the player can seek. When the link has expired the parent fetches the call again for a new one.
import { useT } from '../../app/context';

interface Props {
  src: string;
  label: string;
  onExpired?: () => void;
}

export function RecordingPlayer({ src, label, onExpired }: Props) {
  const t = useT();
  return (
    <audio
      class="recording-player"
      controls
      preload="none"
      src={src}
      aria-label={label}
      data-testid="recording-player"
      onError={() => onExpired?.()}
    >
      {t('detail.noAudioSupport')}
    </audio>
  );
}
