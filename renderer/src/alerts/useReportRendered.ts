import { useEffect, useRef } from 'react';
import type { Message } from '../../../common/api.js';
import { useReceipts } from './ReceiptsProvider.js';

/**
 * A colleague's message rendered in the open thread while the page is on screen was shown on
 * this desk, however it got there (an event, or the history loaded on opening): reported once
 * per message per thread opening; the server keeps the first time.
 */
export function useReportRendered(messages: readonly Message[], myId: number): void {
  const receipts = useReceipts();
  const reported = useRef(new Set<number>());
  useEffect(() => {
    if (!receipts) return;
    const report = () => {
      if (document.visibilityState !== 'visible') return;
      for (const message of messages) {
        if (message.senderId === myId || message.alertId === null) continue;
        if (reported.current.has(message.alertId)) continue;
        reported.current.add(message.alertId);
        receipts.report({ alertId: message.alertId, state: 'shown' }, message.priority);
      }
    };
    report();
    document.addEventListener('visibilitychange', report);
    return () => document.removeEventListener('visibilitychange', report);
  }, [messages, myId, receipts]);
}
