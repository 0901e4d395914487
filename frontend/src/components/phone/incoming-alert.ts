// Getting the agent's attention for a call while the tab is in the background: a system
// notification (clicking it focuses the tab) and a blinking title. The ringtone itself is played
// by the device. Returns a function that withdraws both.

export interface AlertEnv {
  doc: Document;
  win: Window;
  Notification: typeof Notification | null;
}

export function browserAlertEnv(): AlertEnv {
  return {
    doc: document,
    win: window,
    Notification: typeof Notification === 'function' ? Notification : null,
  };
}

/** Ask once for notification permission; call from a click (browsers require a gesture). */
export function askNotificationPermission(env: AlertEnv): void {
  const N = env.Notification;
  if (N && N.permission === 'default') void N.requestPermission().catch(() => undefined);
}

export function alertIncoming(env: AlertEnv, title: string, body: string, onFocus: () => void): () => void {
  const { doc, win } = env;
  let notification: Notification | null = null;
  const N = env.Notification;
  if (doc.visibilityState === 'hidden' && N && N.permission === 'granted') {
    try {
      notification = new N(title, { body, tag: 'ramal-incoming', requireInteraction: true });
      notification.onclick = () => {
        win.focus();
        onFocus();
        notification?.close();
      };
    } catch {
      notification = null; // some platforms only allow notifications from a service worker
    }
  }
  const original = doc.title;
  let on = false;
  const blink = win.setInterval(() => {
    on = !on;
    doc.title = on ? `☎ ${body}` : original;
  }, 1000);
  return () => {
    win.clearInterval(blink);
    doc.title = original;
    notification?.close();
  };
}
