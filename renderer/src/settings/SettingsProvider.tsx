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
