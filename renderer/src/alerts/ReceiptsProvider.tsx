import { createContext, useContext, useEffect, useMemo, type ReactNode } from 'react';
import type { Priority, ReportedReceipt } from '../../../common/alerts.js';
import { isNotifyingEvent } from '../../../common/events.js';
import { priorityOf } from '../../../common/urgency.js';
import { useSession } from '../app/session-context.js';
import { useEvents } from '../events/useEvents.js';
import { useRoute } from '../routing/useRoute.js';
import { useSettings } from '../settings/SettingsProvider.js';
import { alertIdOf } from './banner-for-event.js';
import { currentDeliveryContext } from './current-delivery-context.js';
import { deliveryDecision } from './delivery-decision.js';
import { loadBrowserDesk } from './desk-identity.js';
import { ReceiptQueue } from './receipt-queue.js';

export interface Receipts {
  /** An urgent alert's receipt is reported once gathered, even while the server spaces reports. */
  report(receipt: ReportedReceipt, priority: Priority): void;
}

const ReceiptsContext = createContext<Receipts | null>(null);

/**
 * The browser page's receipts: for every notifying event that carries an alert, `delivered`
 * when it arrives, and `shown` or `held` (and why) by the same decision that raises or holds its
 * banner and pop-up. In the desktop app the main process reports, since only it knows whether
 * its pop-up was on screen; there this provides nothing.
 */
export function ReceiptsProvider({ children }: { children: ReactNode }) {
  const { platform, api } = useSession();
  const { route } = useRoute();
  const { settings } = useSettings();
  const queue = useMemo(
    () =>
      platform.kind === 'browser'
        ? new ReceiptQueue({
            desk: () => loadBrowserDesk(),
            send: (report) => api.reportReceipts(report),
          })
        : null,
    [platform, api],
  );
  useEffect(() => {
    queue?.start();
    return () => queue?.stop();
  }, [queue]);

  useEvents({
    onEvent: (event, meta) => {
      if (!queue || !isNotifyingEvent(event)) return;
      const alertId = alertIdOf(event);
      if (alertId === null) return;
      const priority = priorityOf(event);
      const context = currentDeliveryContext(settings, route, platform.showsOwnPopups);
      const decision = deliveryDecision(event, context);
      // Replayed history is delivered now, but too old to pop up: only what is in view counts.
      if (meta.fromHistory && !decision.inView) {
        queue.add({ alertId, state: 'delivered', eventId: event.id }, priority);
        return;
      }
      queue.add(
        decision.receipt.state === 'held'
          ? { alertId, state: 'held', reason: decision.receipt.reason, eventId: event.id }
          : {
              alertId,
              state: 'shown',
              eventId: event.id,
              ...(decision.receipt.overDoNotDisturb ? { overDoNotDisturb: true } : {}),
            },
        priority,
      );
    },
  });

  const value = useMemo<Receipts | null>(
    () => (queue ? { report: (receipt, priority) => queue.add(receipt, priority) } : null),
    [queue],
  );
  return <ReceiptsContext.Provider value={value}>{children}</ReceiptsContext.Provider>;
}

/** Null where this page does not report (the desktop app). */
export function useReceipts(): Receipts | null {
  return useContext(ReceiptsContext);
}
