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
import type { PresenceChoice, PresenceStatus } from '../../../common/presence.js';
import { PresenceReporter } from '../../../common/presence-reporter.js';
import { useSession } from '../app/session-context.js';
import { useEvents } from '../events/useEvents.js';
import { presenceDeskId } from './presence-desk-id.js';

export interface Presence {
  /** A colleague's status; null until the server's list has been loaded. */
  statusOf(userId: number): PresenceStatus | null;
  /** The person's own choice (available or busy). */
  choice: PresenceChoice;
  choose(choice: PresenceChoice): Promise<void>;
}

const PresenceContext = createContext<Presence | null>(null);

const ACTIVITY_EVENTS = ['pointerdown', 'pointermove', 'keydown', 'wheel', 'touchstart'] as const;

/**
 * Who is available, busy or away: the server's list at sign-in and after every reconnect, then
 * each `presence_changed`. In a browser this tab also reports its own use from the page's
 * activity; the desktop app's main process reports from the OS's idle time instead.
 */
export function PresenceProvider({ children }: { children: ReactNode }) {
  const { api, platform } = useSession();
  const [statuses, setStatuses] = useState<ReadonlyMap<number, PresenceStatus> | null>(null);
  const [choice, setChoice] = useState<PresenceChoice>('available');
  const deskId = useMemo(() => presenceDeskId(), []);
  const latestLoad = useRef(0);

  const reload = useCallback(() => {
    const request = ++latestLoad.current;
    api.presence().then(
      (response) => {
        if (request !== latestLoad.current) return;
        setStatuses(new Map(response.presence.map((entry) => [entry.userId, entry.status])));
        setChoice(response.choice);
      },
      // Unknown is shown as nothing rather than as "away"; the next reconnect loads it again.
      () => undefined,
    );
  }, [api]);

  useEffect(() => reload(), [reload]);

  useEvents({
    onPresenceChanged: (event) => {
      setStatuses((current) => new Map(current ?? []).set(Number(event.user_id), event.status));
    },
    onReady: reload,
  });

  useEffect(() => {
    if (platform.kind !== 'browser') return;
    let lastActivity = Date.now();
    const reporter = new PresenceReporter({
      idleMs: () => Date.now() - lastActivity,
      report: (active) => api.reportPresence({ deskId, active }),
    });
    const active = () => {
      const wasIdle = Date.now() - lastActivity >= 60_000;
      lastActivity = Date.now();
      // Back after a while: say so now, not at the next check.
      if (wasIdle) reporter.check();
    };
    for (const type of ACTIVITY_EVENTS) window.addEventListener(type, active, { passive: true });
    reporter.start();
    return () => {
      reporter.stop();
      for (const type of ACTIVITY_EVENTS) window.removeEventListener(type, active);
    };
  }, [api, platform, deskId]);

  const choose = useCallback(
    async (next: PresenceChoice) => {
      const response = await api.choosePresence({ status: next, deskId });
      setChoice(response.choice);
    },
    [api, deskId],
  );

  const value = useMemo<Presence>(
    () => ({
      statusOf: (userId) => (statuses ? (statuses.get(userId) ?? 'away') : null),
      choice,
      choose,
    }),
    [statuses, choice, choose],
  );
  return <PresenceContext.Provider value={value}>{children}</PresenceContext.Provider>;
}

export function usePresence(): Presence {
  const presence = useContext(PresenceContext);
  if (!presence) throw new Error('usePresence must be used inside <PresenceProvider>');
  return presence;
}
