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
import type { PersonalSettings } from '../../../common/api.js';
import type { DesktopSettings, DesktopSettingsPatch } from '../../../common/desktop-bridge.js';
import { personalDifferences, personalPart } from '../../../common/personal-settings.js';
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

/**
 * The settings in force on this desk. Those that follow the person (privacy, do-not-disturb,
 * quiet hours, sound) are kept on the server: a nurse who moves desks keeps them, and a change
 * on one desk reaches the others (`settings_changed`). A desk may keep its own instead. In the
 * desktop app the main process keeps them in step (its pop-ups follow the person with no window
 * open) and this page shows and changes its settings; a browser page does it here, for itself.
 */
export function SettingsProvider({
  store,
  children,
}: {
  store: SettingsStore;
  children: ReactNode;
}) {
  const { api, user } = useSession();
  const followsItself = store.followsPersonItself;
  const [settings, setSettings] = useState<DesktopSettings | null>(null);
  const [pageDeskOwn, setPageDeskOwn] = useState(() => keepsOwnSettings(user.id));
  const deskOwn = followsItself ? settings?.keepOwnSettings === true : pageDeskOwn;
  const latest = useRef<DesktopSettings | null>(null);
  /** Changes made on this page; the person's settings read before one are older than it. */
  const changesMade = useRef(0);

  const show = useCallback((next: DesktopSettings) => {
    latest.current = next;
    setSettings(next);
  }, []);

  const adopt = useCallback(
    async (personal: PersonalSettings) => {
      if (followsItself || keepsOwnSettings(user.id)) return;
      const local = latest.current ?? (await store.load());
      const patch = personalDifferences(personal, local);
      if (Object.keys(patch).length > 0) show(await store.update(patch));
    },
    [store, show, user.id, followsItself],
  );

  const loadPersonal = useCallback(async () => {
    if (followsItself) return;
    try {
      const before = changesMade.current;
      const { settings: personal } = await api.mySettings();
      // A change made meanwhile went to the server after this was read: it stands.
      if (changesMade.current !== before) return;
      if (personal) await adopt(personal);
      else if (!keepsOwnSettings(user.id) && latest.current)
        // The first desk this person uses gives them its settings to take along.
        await api.updateMySettings(personalPart(latest.current));
    } catch {
      // This desk's own settings hold until the server answers (the next change or resync).
    }
  }, [api, adopt, user.id, followsItself]);

  useEffect(() => {
    let cancelled = false;
    const unsubscribe = store.subscribe?.((next) => {
      if (!cancelled) show(next);
    });
    void store.load().then((loaded) => {
      if (cancelled) return;
      show(loaded);
      void loadPersonal();
    });
    return () => {
      cancelled = true;
      unsubscribe?.();
    };
  }, [store, show, loadPersonal]);

  useEvents({
    onSettingsChanged: (event) => void adopt(event.settings),
    onResync: () => void loadPersonal(),
  });

  const update = useCallback(
    async (patch: DesktopSettingsPatch) => {
      changesMade.current += 1;
      show(await store.update(patch));
      if (followsItself || keepsOwnSettings(user.id)) return;
      const personal = personalPart(patch);
      if (Object.keys(personal).length > 0) await api.updateMySettings(personal);
    },
    [store, show, api, user.id, followsItself],
  );

  const setDeskOwn = useCallback(
    async (own: boolean) => {
      if (followsItself) {
        show(await store.update({ keepOwnSettings: own }));
        return;
      }
      setKeepsOwnSettings(user.id, own);
      setPageDeskOwn(own);
      if (!own) await loadPersonal();
    },
    [user.id, loadPersonal, followsItself, store, show],
  );

  // Do-not-disturb with an end time turns itself off then, here (the desktop main process ends
  // its own).
  const until =
    !followsItself && settings?.doNotDisturb ? (settings.doNotDisturbUntil ?? null) : null;
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
