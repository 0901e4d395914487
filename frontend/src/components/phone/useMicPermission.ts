import { useEffect, useState } from 'preact/hooks';

/**
 * The microphone permission, where the browser can tell (Permissions API), so a refusal is shown
 * before the agent tries to call instead of failing silently at the first call.
 */
export function useMicPermission(active: boolean): PermissionState | null {
  const [state, setState] = useState<PermissionState | null>(null);
  useEffect(() => {
    const permissions = typeof navigator !== 'undefined' ? navigator.permissions : undefined;
    if (!active || !permissions?.query) return undefined;
    let alive = true;
    let status: PermissionStatus | null = null;
    permissions.query({ name: 'microphone' as PermissionName }).then(
      (s) => {
        if (!alive) return;
        status = s;
        setState(s.state);
        s.onchange = () => setState(s.state);
      },
      () => undefined, // "microphone" is not a queryable name in every browser
    );
    return () => {
      alive = false;
      if (status) status.onchange = null;
    };
  }, [active]);
  return state;
}
