import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useState,
  type ReactNode,
} from 'react';
import type { DesktopSettings, DesktopSettingsPatch } from '../../../common/desktop-bridge.js';
import type { SettingsStore } from '../platform/platform.js';

export interface SettingsValue {
  settings: DesktopSettings | null;
  applicable: SettingsStore['applicable'];
  update(patch: DesktopSettingsPatch): Promise<void>;
}

const SettingsContext = createContext<SettingsValue | null>(null);

export function SettingsProvider({
  store,
  children,
}: {
  store: SettingsStore;
  children: ReactNode;
}) {
  const [settings, setSettings] = useState<DesktopSettings | null>(null);

  useEffect(() => {
    let cancelled = false;
    void store.load().then((loaded) => {
      if (!cancelled) setSettings(loaded);
    });
    return () => {
      cancelled = true;
    };
  }, [store]);

  const update = useCallback(
    async (patch: DesktopSettingsPatch) => {
      setSettings(await store.update(patch));
    },
    [store],
  );

  // Do-not-disturb with an end time turns itself off then, here and so in the desktop app too.
  const until = settings?.doNotDisturb ? (settings.doNotDisturbUntil ?? null) : null;
  useEffect(() => {
    if (until === null) return;
    const timer = setTimeout(
      () => void update({ doNotDisturb: false, doNotDisturbUntil: null }).catch(() => undefined),
      Math.max(0, Math.min(Date.parse(until) - Date.now(), 2 ** 31 - 1)),
    );
    return () => clearTimeout(timer);
  }, [until, update]);

  const value = useMemo(
    () => ({ settings, applicable: store.applicable, update }),
    [settings, store, update],
  );
  return <SettingsContext.Provider value={value}>{children}</SettingsContext.Provider>;
}

export function useSettings(): SettingsValue {
  const value = useContext(SettingsContext);
  if (!value) throw new Error('useSettings must be used inside <SettingsProvider>');
  return value;
}
