// Call-progress tones and DTMF synthesised in the browser as small WAV blobs. The voice SDK
// otherwise downloads its sounds from Twilio's CDN (which fails offline and delays the incoming
// ring UI); the demo device plays the same tones.

export type ToneName =
  | 'incoming'
  | 'ringback'
  | 'outgoing'
  | 'disconnect'
  | `dtmf${'0' | '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9' | 's' | 'h'}`;

type Segment = readonly [freqs: readonly number[], ms: number];

const RATE = 8000;

// DTMF row/column frequencies (ITU-T Q.23).
const DTMF: Record<string, readonly [number, number]> = {
  '1': [697, 1209], '2': [697, 1336], '3': [697, 1477],
  '4': [770, 1209], '5': [770, 1336], '6': [770, 1477],
  '7': [852, 1209], '8': [852, 1336], '9': [852, 1477],
  s: [941, 1209], '0': [941, 1336], h: [941, 1477],
};

function pattern(name: ToneName): Segment[] {
  switch (name) {
    case 'incoming':
      // Two short bursts then a pause; looped by the player.
      return [[[440, 480], 400], [[], 200], [[440, 480], 400], [[], 2000]];
    case 'ringback':
      // Brazilian ring-back: 425 Hz, 1 s on, 4 s off.
      return [[[425], 1000], [[], 4000]];
    case 'outgoing':
      return [[[425], 150], [[], 50]];
    case 'disconnect':
      return [[[480, 620], 250], [[], 150], [[480, 620], 250]];
    default: {
      const pair = DTMF[name.slice(4)] ?? [941, 1336];
      return [[pair, 160], [[], 40]];
    }
  }
}

/** 16-bit mono PCM samples of a tone pattern. */
export function synthesize(name: ToneName): Int16Array {
  const segments = pattern(name);
  const total = segments.reduce((n, [, ms]) => n + Math.round((RATE * ms) / 1000), 0);
  const out = new Int16Array(total);
  let offset = 0;
  for (const [freqs, ms] of segments) {
    const n = Math.round((RATE * ms) / 1000);
    const ramp = Math.min(80, n / 4); // short fade in/out avoids clicks
    for (let i = 0; i < n && freqs.length; i++) {
      let v = 0;
      for (const f of freqs) v += Math.sin((2 * Math.PI * f * i) / RATE);
      const env = Math.min(1, i / ramp, (n - i) / ramp);
      out[offset + i] = Math.round((v / freqs.length) * env * 0.3 * 32767);
    }
    offset += n;
  }
  return out;
}

/** A RIFF/WAVE file holding 16-bit mono PCM samples. */
export function wavBytes(samples: Int16Array, rate = RATE): Uint8Array {
  const buf = new ArrayBuffer(44 + samples.length * 2);
  const v = new DataView(buf);
  const text = (at: number, s: string) => {
    for (let i = 0; i < s.length; i++) v.setUint8(at + i, s.charCodeAt(i));
  };
  text(0, 'RIFF');
  v.setUint32(4, 36 + samples.length * 2, true);
  text(8, 'WAVE');
  text(12, 'fmt ');
  v.setUint32(16, 16, true);
  v.setUint16(20, 1, true); // PCM
  v.setUint16(22, 1, true); // mono
  v.setUint32(24, rate, true);
  v.setUint32(28, rate * 2, true);
  v.setUint16(32, 2, true);
  v.setUint16(34, 16, true);
  text(36, 'data');
  v.setUint32(40, samples.length * 2, true);
  for (let i = 0; i < samples.length; i++) v.setInt16(44 + i * 2, samples[i] ?? 0, true);
  return new Uint8Array(buf);
}

/** Object URLs of the synthesised tones, each created once per library (one per workspace). */
export class ToneLibrary {
  readonly #urls = new Map<ToneName, string>();

  url(name: ToneName): string {
    let url = this.#urls.get(name);
    if (!url) {
      const bytes = wavBytes(synthesize(name));
      url = URL.createObjectURL(new Blob([bytes.buffer as ArrayBuffer], { type: 'audio/wav' }));
      this.#urls.set(name, url);
    }
    return url;
  }
}

/** Plays named tones; injectable so tests and jsdom stay silent. */
export interface TonePlayer {
  play(name: ToneName, loop?: boolean): void;
  stop(name: ToneName): void;
}

/** Plays tones with HTMLAudioElement (after a user gesture, browsers allow it). */
export function audioTonePlayer(library: ToneLibrary): TonePlayer {
  const playing = new Map<ToneName, HTMLAudioElement>();
  return {
    play(name, loop = false) {
      this.stop(name);
      // A tone that cannot play (autoplay blocked, no audio output) is never worth an error.
      try {
        const el = new Audio(library.url(name));
        el.loop = loop;
        playing.set(name, el);
        void Promise.resolve(el.play()).catch(() => undefined);
      } catch {
        playing.delete(name);
      }
    },
    stop(name) {
      const el = playing.get(name);
      if (el) {
        el.pause();
        playing.delete(name);
      }
    },
  };
}

/** The SDK's `sounds` option pointing at the synthesised tones. */
export function sdkSounds(library: ToneLibrary): Record<string, string> {
  const sounds: Record<string, string> = {
    incoming: library.url('incoming'),
    outgoing: library.url('outgoing'),
    disconnect: library.url('disconnect'),
  };
  for (const d of '0123456789') sounds[`dtmf${d}`] = library.url(`dtmf${d}` as ToneName);
  sounds.dtmfs = library.url('dtmfs');
  sounds.dtmfh = library.url('dtmfh');
  return sounds;
}
