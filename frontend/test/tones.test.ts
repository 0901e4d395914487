import { describe, expect, it } from 'vitest';
import { synthesize, wavBytes } from '../src/phone/tones';

// Goertzel: energy of one frequency in a block of samples.
function power(samples: Int16Array, freq: number, rate = 8000): number {
  const k = (2 * Math.cos((2 * Math.PI * freq) / rate));
  let s1 = 0;
  let s2 = 0;
  for (const x of samples) {
    const s = x + k * s1 - s2;
    s2 = s1;
    s1 = s;
  }
  return s1 * s1 + s2 * s2 - k * s1 * s2;
}

describe('tones', () => {
  it('synthesises DTMF with the ITU row and column frequencies', () => {
    const five = synthesize('dtmf5').slice(0, 1280); // the 160 ms tone part
    const p = (f: number) => power(five, f);
    const strong = Math.min(p(770), p(1336));
    for (const other of [697, 852, 941, 1209, 1477]) expect(p(other)).toBeLessThan(strong / 50);
  });

  it('makes the Brazilian ring-back 425 Hz, 1 s on and 4 s off', () => {
    const rb = synthesize('ringback');
    expect(rb.length).toBe(8000 * 5);
    const on = rb.slice(0, 8000);
    const off = rb.slice(8000);
    expect(power(on, 425)).toBeGreaterThan(power(on, 600) * 50);
    expect(off.every((x) => x === 0)).toBe(true);
  });

  it('writes a valid 16-bit mono PCM WAV header', () => {
    const samples = synthesize('outgoing');
    const bytes = wavBytes(samples);
    const v = new DataView(bytes.buffer);
    const text = (at: number) => String.fromCharCode(...bytes.slice(at, at + 4));
    expect(text(0)).toBe('RIFF');
    expect(text(8)).toBe('WAVE');
    expect(text(36)).toBe('data');
    expect(v.getUint16(20, true)).toBe(1);
    expect(v.getUint16(22, true)).toBe(1);
    expect(v.getUint32(24, true)).toBe(8000);
    expect(v.getUint32(40, true)).toBe(samples.length * 2);
    expect(bytes.length).toBe(44 + samples.length * 2);
    expect(v.getInt16(44 + 200, true)).toBe(samples[100]);
  });

  it('never clips', () => {
    for (const name of ['incoming', 'disconnect', 'dtmfh'] as const) {
      expect(Math.max(...synthesize(name).map(Math.abs))).toBeLessThan(32767 * 0.35);
    }
  });
});
