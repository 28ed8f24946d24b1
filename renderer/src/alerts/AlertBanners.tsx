import { useEffect, useReducer } from 'react';
import { isNotifyingEvent } from '../../../common/events.js';
import { useSession } from '../app/session-context.js';
import { useEvents } from '../events/useEvents.js';
import { quietHoldReason } from '../notifications/popup-policy.js';
import type { Route } from '../routing/route.js';
import { useSettings } from '../settings/SettingsProvider.js';
import { alertBannerReducer, type AlertBannerItem } from './alert-banner-state.js';
import { playAlertSound } from './alert-sound.js';
import { DEFAULT_DESKTOP_SETTINGS } from '../../../common/desktop-bridge.js';
import { bannerForEvent, bannerForRepeat } from './banner-for-event.js';
import { currentDeliveryContext } from './current-delivery-context.js';
import { useReceipts } from './ReceiptsProvider.js';
import { useAcknowledge } from './useAcknowledge.js';

/** How long a routine banner stays; urgent ones stay until opened or acknowledged. */
export const ROUTINE_BANNER_MS = 8_000;

interface AlertBannersProps {
  route: Route | null;
  navigate(route: Route): void;
}

/**
 * In-app alerts while the app is on screen: a banner for a new message in a conversation that
 * is not open, a reminder or a notice, with a tone when sound is on. Routine ones leave by
 * themselves; urgent ones (urgent messages and reminders) stay until opened or acknowledged,
 * here or on any other desk of any recipient.
 */
export function AlertBanners({ route, navigate }: AlertBannersProps) {
  const { settings } = useSettings();
  const { platform } = useSession();
  const receipts = useReceipts();
  const [items, dispatch] = useReducer(alertBannerReducer, []);
  const openConversationId = route?.page === 'conversations' ? route.conversationId : null;

  useEvents({
    onEvent: (event, meta) => {
      if (!isNotifyingEvent(event) || meta.fromHistory) return;
      const context = currentDeliveryContext(settings, route, platform.showsOwnPopups);
      const item = bannerForEvent(event, context);
      if (!item) return;
      dispatch({ type: 'raised', item });
      if (context.settings.sound) playAlertSound(item.urgent);
    },
    // Nobody acknowledged yet: back on screen, with sound, wherever the person is in the app.
    onAlertRepeat: (event, meta) => {
      if (meta.fromHistory) return;
      const current = settings ?? DEFAULT_DESKTOP_SETTINGS;
      if (quietHoldReason(current, new Date()) && event.passes_do_not_disturb !== true) return;
      dispatch({ type: 'raised', item: bannerForRepeat(event, Date.now()) });
      if (current.sound) playAlertSound(true);
    },
    onAlertAcknowledged: (event) =>
      dispatch({ type: 'alert_settled', alertId: Number(event.alert_id) }),
  });
  const { acknowledge, pending, error } = useAcknowledge();

  // Opening the conversation (by the banner or any other way) is what an urgent banner waits for.
  useEffect(() => {
    if (openConversationId !== null)
      dispatch({ type: 'conversation_opened', conversationId: openConversationId });
  }, [openConversationId]);

  // An urgent banner raised while the page was hidden is on screen once the person is back.
  useEffect(() => {
    if (!receipts) return;
    const reportVisible = () => {
      if (document.visibilityState !== 'visible') return;
      for (const item of items)
        if (item.urgent && item.alertId !== null)
          receipts.report(
            { alertId: item.alertId, state: 'shown', eventId: item.eventId },
            'urgent',
          );
    };
    document.addEventListener('visibilitychange', reportVisible);
    return () => document.removeEventListener('visibilitychange', reportVisible);
  }, [items, receipts]);

  const hasRoutine = items.some((item) => !item.urgent);
  useEffect(() => {
    if (!hasRoutine) return;
    const timer = setInterval(
      () => dispatch({ type: 'expired', now: Date.now(), routineMs: ROUTINE_BANNER_MS }),
      1_000,
    );
    return () => clearInterval(timer);
  }, [hasRoutine]);

  if (items.length === 0) return null;
  return (
    <section className="alert-banners" aria-label="Alerts">
      {items.map((item) => (
        <AlertBanner
          key={item.eventId}
          item={item}
          onOpen={() => {
            dispatch({ type: 'dismissed', eventId: item.eventId });
            navigate(item.route);
          }}
          onDismiss={() => dispatch({ type: 'dismissed', eventId: item.eventId })}
          onAcknowledge={
            item.urgent && item.alertId !== null
              ? () => {
                  const alertId = item.alertId as number;
                  void acknowledge(alertId).then((done) => {
                    if (done) dispatch({ type: 'alert_settled', alertId });
                  });
                }
              : null
          }
          acknowledging={item.alertId !== null && pending.has(item.alertId)}
        />
      ))}
      {error && (
        <p className="alert-banner alert-banner--error" role="alert">
          Not acknowledged: {error}
        </p>
      )}
    </section>
  );
}

function AlertBanner({
  item,
  onOpen,
  onDismiss,
  onAcknowledge,
  acknowledging,
}: {
  item: AlertBannerItem;
  onOpen(): void;
  onDismiss(): void;
  /** Null when this alert asks for no acknowledgement. */
  onAcknowledge: (() => void) | null;
  acknowledging: boolean;
}) {
  return (
    <div
      className={item.urgent ? 'alert-banner alert-banner--urgent' : 'alert-banner'}
      role={item.urgent ? 'alert' : 'status'}
      data-testid="alert-banner"
      data-urgent={item.urgent}
      data-alert-id={item.alertId ?? undefined}
    >
      <div className="alert-banner__text">
        <p className="alert-banner__title">
          {item.title}
          {item.repeat && (
            <span className="alert-banner__repeat">
              {' '}
              · Repeat {item.repeat.number} of {item.repeat.of}
            </span>
          )}
        </p>
        <p className="alert-banner__body">{item.body}</p>
      </div>
      <div className="alert-banner__actions">
        {onAcknowledge && (
          <button
            type="button"
            className="button button--small button--primary"
            onClick={onAcknowledge}
            disabled={acknowledging}
          >
            {acknowledging ? 'Acknowledging…' : 'Acknowledge'}
          </button>
        )}
        <button
          type="button"
          className={
            onAcknowledge ? 'button button--small' : 'button button--small button--primary'
          }
          onClick={onOpen}
        >
          Open
        </button>
        {!item.urgent && (
          <button type="button" className="button button--small" onClick={onDismiss}>
            Dismiss
          </button>
        )}
      </div>
    </div>
  );
}
