import { useEffect, useEffectEvent, useRef, useSyncExternalStore } from 'react';
import type { ConnectionState } from '../../../common/desktop-bridge.js';
import type {
  PresenceChangedControl,
  ReadyControl,
  ResyncControl,
  StreamEvent,
  StreamEventOf,
} from '../../../common/events.js';
import type { EventFrame } from './event-frame.js';
import type { EventMeta } from './event-hub.js';
import { useEventHub } from './EventsProvider.js';

/** The original system's callback names, plus what exact delivery adds. */
export interface UseEventsOptions {
  onNewMessage?: (event: StreamEventOf<'new_message'>, meta: EventMeta) => void;
  onAppointmentReminder?: (event: StreamEventOf<'appointment_reminder'>, meta: EventMeta) => void;
  onSystemNotification?: (event: StreamEventOf<'system_notification'>, meta: EventMeta) => void;
  /** Another desk (or this one) marked notifications read up to `event.lastEventId`. */
  onNotificationsRead?: (event: StreamEventOf<'notifications_read'>, meta: EventMeta) => void;
  /** This user read a conversation up to `event.message_id`, on another desk or this one. */
  onConversationRead?: (event: StreamEventOf<'conversation_read'>, meta: EventMeta) => void;
  /** This user sent a message, from another desk or this one (colleagues get `new_message`). */
  onMessageSent?: (event: StreamEventOf<'message_sent'>, meta: EventMeta) => void;
  /** What is known about one of this user's alerts changed (receipts, acknowledgement). */
  onAlertStatus?: (event: StreamEventOf<'alert_status'>, meta: EventMeta) => void;
  /** An alert this user received or sent was acknowledged, on any desk: it stops everywhere. */
  onAlertAcknowledged?: (event: StreamEventOf<'alert_acknowledged'>, meta: EventMeta) => void;
  /** An urgent alert to this user is being alerted again: nobody acknowledged it yet. */
  onAlertRepeat?: (event: StreamEventOf<'alert_repeat'>, meta: EventMeta) => void;
  /** An alert this user sent or received went to its escalation target. */
  onAlertEscalated?: (event: StreamEventOf<'alert_escalated'>, meta: EventMeta) => void;
  /** This user marked single notifications read or unread, on another desk or this one. */
  onNotificationsMarked?: (event: StreamEventOf<'notifications_marked'>, meta: EventMeta) => void;
  /** A conversation of this user was created or changed (or they were removed from it). */
  onConversationChanged?: (event: StreamEventOf<'conversation_changed'>, meta: EventMeta) => void;
  /** This user's settings that follow them changed, on another desk or this one. */
  onSettingsChanged?: (event: StreamEventOf<'settings_changed'>, meta: EventMeta) => void;
  /** A message was edited, deleted or acknowledged (👍) in one of this user's conversations. */
  onMessageChanged?: (event: StreamEventOf<'message_changed'>, meta: EventMeta) => void;
  /** A colleague (or this user) became available, busy or away: live only, no history. */
  onPresenceChanged?: (control: PresenceChangedControl) => void;
  /** An account was added, renamed, given another role, disabled or enabled. */
  onDirectoryChanged?: (event: StreamEventOf<'directory_changed'>, meta: EventMeta) => void;
  /** Every numbered event, whatever its type, after the typed callback. */
  onEvent?: (event: StreamEvent, meta: EventMeta) => void;
  /** Events were lost: reload what is shown over REST. */
  onResync?: (control: ResyncControl) => void;
  /** The replay after (re)connecting is over; what follows is live. */
  onReady?: (control: ReadyControl) => void;
  onConnectionChange?: (state: ConnectionState) => void;
}

/**
 * Subscribes a component to the page's one event source (the desktop bridge or the browser's
 * EventSource, chosen once by the provider). Each event reaches the callbacks once, even when
 * the server delivered it twice. Callbacks may change on every render; the subscription does not.
 */
export function useEvents(options: UseEventsOptions): { connection: ConnectionState } {
  const hub = useEventHub();

  const handleFrame = useEffectEvent((frame: EventFrame, meta: EventMeta) => {
    switch (frame.type) {
      case 'new_message':
        options.onNewMessage?.(frame, meta);
        break;
      case 'appointment_reminder':
        options.onAppointmentReminder?.(frame, meta);
        break;
      case 'system_notification':
        options.onSystemNotification?.(frame, meta);
        break;
      case 'notifications_read':
        options.onNotificationsRead?.(frame, meta);
        break;
      case 'conversation_read':
        options.onConversationRead?.(frame, meta);
        break;
      case 'message_sent':
        options.onMessageSent?.(frame, meta);
        break;
      case 'alert_status':
        options.onAlertStatus?.(frame, meta);
        break;
      case 'alert_acknowledged':
        options.onAlertAcknowledged?.(frame, meta);
        break;
      case 'alert_repeat':
        options.onAlertRepeat?.(frame, meta);
        break;
      case 'alert_escalated':
        options.onAlertEscalated?.(frame, meta);
        break;
      case 'notifications_marked':
        options.onNotificationsMarked?.(frame, meta);
        break;
      case 'conversation_changed':
        options.onConversationChanged?.(frame, meta);
        break;
      case 'settings_changed':
        options.onSettingsChanged?.(frame, meta);
        break;
      case 'message_changed':
        options.onMessageChanged?.(frame, meta);
        break;
      case 'directory_changed':
        options.onDirectoryChanged?.(frame, meta);
        break;
      case 'resync':
        options.onResync?.(frame);
        return;
      case 'ready':
        options.onReady?.(frame);
        return;
      case 'presence_changed':
        options.onPresenceChanged?.(frame);
        return;
      default:
        // A new event type does not compile here until it has its callback.
        return frame satisfies never;
    }
    options.onEvent?.(frame, meta);
  });
  const handleConnection = useEffectEvent((state: ConnectionState) =>
    options.onConnectionChange?.(state),
  );

  const connection = useSyncExternalStore(hub.onConnectionState, () => hub.connection);
  const connectionAtMount = useRef(connection);

  useEffect(() => hub.subscribe((frame, meta) => handleFrame(frame, meta)), [hub]);
  useEffect(() => {
    const unsubscribe = hub.onConnectionState((state) => handleConnection(state));
    // A change between the render that mounted this component and this subscription reached
    // nobody here: a component mounted just before the connection dropped would never hear of it.
    if (hub.connection !== connectionAtMount.current) handleConnection(hub.connection);
    return unsubscribe;
  }, [hub]);

  return { connection };
}
