import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useState,
  type ReactNode,
} from 'react';
import type { AlertStatus } from '../../../common/alerts.js';
import { useApi } from '../app/session-context.js';
import { useEvents } from '../events/useEvents.js';

const ConversationAlertsContext = createContext<ReadonlyMap<number, AlertStatus>>(new Map());

/** Of two statuses of one alert, the one with more recorded facts. */
function newer(current: AlertStatus | undefined, incoming: AlertStatus): boolean {
  return current === undefined || incoming.version >= current.version;
}

/**
 * The status of the open conversation's alerts, by message id: loaded when it opens (and after
 * a resync), then kept current by `alert_status` events, of which the newest version wins.
 */
export function ConversationAlerts({
  conversationId,
  children,
}: {
  conversationId: number;
  children: ReactNode;
}) {
  const api = useApi();
  const [statuses, setStatuses] = useState<ReadonlyMap<number, AlertStatus>>(new Map());

  const merge = useCallback(
    (incoming: readonly AlertStatus[]) => {
      setStatuses((current) => {
        let next: Map<number, AlertStatus> | null = null;
        for (const status of incoming) {
          if (status.conversationId !== conversationId || status.messageId === null) continue;
          if (!newer((next ?? current).get(status.messageId), status)) continue;
          next ??= new Map(current);
          next.set(status.messageId, status);
        }
        return next ?? current;
      });
    },
    [conversationId],
  );

  const load = useCallback(
    () =>
      api.conversationAlerts(conversationId).then(
        ({ alerts }) => merge(alerts),
        // The thread works without statuses; the next event or resync brings them.
        () => undefined,
      ),
    [api, conversationId, merge],
  );

  useEffect(() => {
    let cancelled = false;
    api.conversationAlerts(conversationId).then(
      ({ alerts }) => {
        if (!cancelled) merge(alerts);
      },
      () => undefined,
    );
    return () => {
      cancelled = true;
    };
  }, [api, conversationId, merge]);

  useEvents({
    onAlertStatus: (event) => merge([event.status]),
    // A recipient's view has no status events; the acknowledgement itself says enough.
    onAlertAcknowledged: (event) => {
      if (event.conversation_id !== String(conversationId) || event.message_id === undefined)
        return;
      const messageId = Number(event.message_id);
      // A message that arrived after the thread opened has no status here yet: fetch them all.
      if (!statuses.has(messageId)) {
        void load();
        return;
      }
      setStatuses((current) => {
        const status = current.get(messageId);
        if (!status || status.acknowledged) return current;
        const acknowledged = {
          at: event.timestamp,
          userId: Number(event.by_id),
          displayName: event.by,
          deskName: null,
        };
        return new Map(current).set(messageId, { ...status, acknowledged });
      });
    },
    // Rare, and a recipient has no status events: reload what the thread shows.
    onAlertRepeat: (event) => {
      if (event.conversation_id === String(conversationId)) void load();
    },
    onAlertEscalated: (event) => {
      if (event.conversation_id === String(conversationId)) void load();
    },
    onResync: () => void load(),
  });

  const value = useMemo(() => statuses, [statuses]);
  return (
    <ConversationAlertsContext.Provider value={value}>
      {children}
    </ConversationAlertsContext.Provider>
  );
}

export function useMessageAlert(messageId: number): AlertStatus | null {
  return useContext(ConversationAlertsContext).get(messageId) ?? null;
}
