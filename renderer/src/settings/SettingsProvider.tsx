import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
  type ReactNode,
} from 'react';
import {
  PERSONAL_SETTING_KEYS,
  type PersonalSettings,
  type PersonalSettingsPatch,
} from '../../../common/api.js';
import type { DesktopSettings, DesktopSettingsPatch } from '../../../common/desktop-bridge.js';
import { useSession } from '../app/session-context.js';
import { useEvents } from '../events/useEvents.js';
import type { SettingsStore } from '../platform/platform.js';
import { keepsOwnSettings, setKeepsOwnSettings } from './desk-own-settings.js';

export interface SettingsValue {
  settings: DesktopSettings | null;
  applicable: SettingsStore['applicable'];
  update(patch: DesktopSettingsPatch): Promise<void>;
  /** This desk keeps pop-up settings of its own instead of the person's. */
  deskOwn: boolean;
  setDeskOwn(own: boolean): Promise<void>;
}

const SettingsContext = createContext<SettingsValue | null>(null);

/** The part of a change that follows the person. */
function personalPart(patch: DesktopSettingsPatch): PersonalSettingsPatch {
  return Object.fromEntries(
    PERSONAL_SETTING_KEYS.filter((key) => key in patch).map((key) => [key, patch[key]]),
  ) as PersonalSettingsPatch;
}

/** What this desk must change to match the person's settings. */
function differences(personal: PersonalSettings, local: DesktopSettings): DesktopSettingsPatch {
  const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
  return Object.fromEntries(
    PERSONAL_SETTING_KEYS.filter((key) => !same(personal[key], local[key])).map((key) => [
      key,
      personal[key],
    ]),
  ) as DesktopSettingsPatch;
}

/**
 * The settings in force on this desk. Those that follow the person (privacy, do-not-disturb,
 * quiet hours, sound) are kept on the server: a nurse who moves desks keeps them, and a change
 * on one desk reaches the others (`settings_changed`). They are also written to this desk's
 * own store, which the desktop app's pop-ups read. A desk may keep its own instead.
 */
export function SettingsProvider({
  store,
  children,
}: {
  store: SettingsStore;
  children: ReactNode;
}) {
  const { api, user } = useSession();
  const [settings, setSettings] = useState<DesktopSettings | null>(null);
  const [deskOwn, setDeskOwnState] = useState(() => keepsOwnSettings(user.id));
  const latest = useRef<DesktopSettings | null>(null);

  const show = useCallback((next: DesktopSettings) => {
    latest.current = next;
    setSettings(next);
  }, []);

  const adopt = useCallback(
    async (personal: PersonalSettings) => {
      if (keepsOwnSettings(user.id)) return;
      const local = latest.current ?? (await store.load());
      const patch = differences(personal, local);
      if (Object.keys(patch).length > 0) show(await store.update(patch));
    },
    [store, show, user.id],
  );

  const loadPersonal = useCallback(async () => {
    try {
      const { settings: personal } = await api.mySettings();
      if (personal) await adopt(personal);
      else if (!keepsOwnSettings(user.id) && latest.current)
        // The first desk this person uses gives them its settings to take along.
        await api.updateMySettings(personalPart(latest.current));
    } catch {
      // This desk's own settings hold until the server answers (the next change or resync).
    }
  }, [api, adopt, user.id]);

  useEffect(() => {
    let cancelled = false;
    void store.load().then((loaded) => {
      if (cancelled) return;
      show(loaded);
      void loadPersonal();
    });
    return () => {
      cancelled = true;
    };
  }, [store, show, loadPersonal]);

  useEvents({
    onSettingsChanged: (event) => void adopt(event.settings),
    onResync: () => void loadPersonal(),
  });

  const update = useCallback(
    async (patch: DesktopSettingsPatch) => {
      show(await store.update(patch));
      const personal = personalPart(patch);
      if (!keepsOwnSettings(user.id) && Object.keys(personal).length > 0)
        await api.updateMySettings(personal);
    },
    [store, show, api, user.id],
  );

  const setDeskOwn = useCallback(
    async (own: boolean) => {
      setKeepsOwnSettings(user.id, own);
      setDeskOwnState(own);
      if (!own) await loadPersonal();
    },
    [user.id, loadPersonal],
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
    () => ({ settings, applicable: store.applicable, update, deskOwn, setDeskOwn }),
    [settings, store, update, deskOwn, setDeskOwn],
  );
  return <SettingsContext.Provider value={value}>{children}</SettingsContext.Provider>;
}

export function useSettings(): SettingsValue {
  const value = useContext(SettingsContext);
  if (!value) throw new Error('useSettings must be used inside <SettingsProvider>');
  return value;
}
