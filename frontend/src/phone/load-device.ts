// Chooses and loads the device implementation. Both live in lazily loaded chunks: the Twilio
// SDK only when a real phone is first started, the simulator only in demo mode.
import type { ApiClient } from '../api/client';
import type { EventStream } from '../api/events';
import type { DeviceFactory } from './device';
import { AppError } from './errors';
import type { ToneLibrary } from './tones';

export interface DeviceLoaderOptions {
  demo: boolean;
  api: ApiClient;
  stream: EventStream;
  agentId: number;
  /** Text of the "leave page?" prompt during a call. */
  closeProtection: () => string;
}

export function deviceFactory(o: DeviceLoaderOptions): DeviceFactory {
  // One set of synthesised tones for every device this workspace creates (retries included).
  let library: ToneLibrary | null = null;
  const tones = async () => {
    const mod = await importOrFail(() => import('./tones'));
    library ??= new mod.ToneLibrary();
    return { mod, library };
  };
  return async (token) => {
    if (o.demo) {
      const [{ DemoDevice }, t] = await Promise.all([
        importOrFail(() => import('./demo-device')),
        tones(),
      ]);
      return new DemoDevice(token, {
        api: o.api,
        stream: o.stream,
        agentId: o.agentId,
        tones: t.mod.audioTonePlayer(t.library),
      });
    }
    const [{ createTwilioDevice }, t] = await Promise.all([
      importOrFail(() => import('./twilio-device')),
      tones(),
    ]);
    return createTwilioDevice(token, { closeProtection: o.closeProtection(), tones: t.library });
  };
}

// A failed chunk load (offline, or an old page after a new release) gets its own message.
async function importOrFail<T>(load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (err) {
    throw new AppError('load-failed', err instanceof Error ? err.message : String(err));
  }
}
