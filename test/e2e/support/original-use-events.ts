import type { Page } from 'playwright-core';

/**
 * The original system's frontend hook `useEvents` (ArsMedicaTech's `src/hooks/useEvents.ts`),
 * run in the page as it ran inside React, in its two published forms:
 *
 * - `eventsource`: `new EventSource('/api/events/stream?since=<timestamp of the last event>')`,
 *   `onmessage` parsing `data` and `switch (data.type)`, and on `onerror` a new connection after
 *   5 s (closing the old one) from the last timestamp. The browser's own reconnect (with
 *   `Last-Event-ID`) runs meanwhile, as it did.
 * - `fetch`: the later streaming `fetch` with `Accept: text/event-stream`, reading chunks, taking
 *   every line that starts with `data: `, the same switch; a new `fetch` 5 s after a read fails.
 *   A `done` ends it for good. It never sets its timestamp, so it always asks `?since=`.
 *
 * React's part is played by `rerender()` (a render with a new callbacks object: the effect's
 * cleanup, then the effect again) and `unmount()`. The only additions are the recording of each
 * callback call and of each connection attempt, for the test to read.
 */
export type OriginalHookVariant = 'eventsource' | 'fetch';

export interface RecordedCall {
  callback: 'onNewMessage' | 'onAppointmentReminder' | 'onSystemNotification';
  data: { id?: number; type: string; timestamp?: string; [field: string]: unknown };
}

/** What the hook finds in the page besides the DOM-free globals Node's types describe. */
interface PageGlobals {
  originalHook: Harness;
  localStorage: { getItem(key: string): string | null };
}

interface Harness {
  calls: RecordedCall[];
  connects: number;
  unknownTypes: string[];
  rerender(): void;
  unmount(): void;
}

/** Mounts the hook in the page (which must be at the server's origin and signed in). */
export async function mountOriginalUseEvents(page: Page, variant: OriginalHookVariant, apiUrl = ''): Promise<void> {
  await page.evaluate(
    ({ variant, apiUrl }) => {
      const harness: Harness = {
        calls: [],
        connects: 0,
        unknownTypes: [],
        rerender: () => undefined,
        unmount: () => undefined,
      };
      (globalThis as unknown as PageGlobals).originalHook = harness;
      const record = (callback: RecordedCall['callback']) => (data: RecordedCall['data']) => harness.calls.push({ callback, data });
      const callbacks = {
        onNewMessage: record('onNewMessage'),
        onAppointmentReminder: record('onAppointmentReminder'),
        onSystemNotification: record('onSystemNotification'),
      };
      // useRef
      const eventSourceRef: { current: EventSource | null } = { current: null };
      const reconnectTimeoutRef: { current: ReturnType<typeof setTimeout> | null } = { current: null };
      const lastEventTimestampRef = { current: '' };

      const dispatch = (data: RecordedCall['data']) => {
        switch (data.type) {
          case 'new_message':
            if (callbacks.onNewMessage) callbacks.onNewMessage(data);
            break;
          case 'appointment_reminder':
            if (callbacks.onAppointmentReminder) callbacks.onAppointmentReminder(data);
            break;
          case 'system_notification':
            if (callbacks.onSystemNotification) callbacks.onSystemNotification(data);
            break;
          default:
            harness.unknownTypes.push(String(data.type));
        }
      };

      const connectWithEventSource = () => {
        harness.connects++;
        if (eventSourceRef.current) eventSourceRef.current.close();
        const eventSource = new EventSource(`${apiUrl}/api/events/stream?since=${lastEventTimestampRef.current}`);
        eventSource.onmessage = (event) => {
          try {
            const data = JSON.parse(event.data as string) as RecordedCall['data'];
            lastEventTimestampRef.current = data.timestamp || '';
            dispatch(data);
          } catch (error) {
            console.error('Error parsing SSE event:', error);
          }
        };
        eventSource.onerror = () => {
          if (reconnectTimeoutRef.current) clearTimeout(reconnectTimeoutRef.current);
          reconnectTimeoutRef.current = setTimeout(() => connectWithEventSource(), 5000);
        };
        eventSourceRef.current = eventSource;
      };

      const connectWithFetch = () => {
        harness.connects++;
        if (eventSourceRef.current) eventSourceRef.current.close();
        const user = JSON.parse((globalThis as unknown as PageGlobals).localStorage.getItem('user') || '{}') as { id?: string };
        const userId = user.id || 'test-user-id';
        const sseUrl = `${apiUrl}/api/events/stream?since=${lastEventTimestampRef.current}&user_id=${userId}`;
        const retry = () => {
          if (reconnectTimeoutRef.current) clearTimeout(reconnectTimeoutRef.current);
          reconnectTimeoutRef.current = setTimeout(() => connectWithFetch(), 5000);
        };
        fetch(sseUrl, { method: 'GET', headers: { Accept: 'text/event-stream', 'Cache-Control': 'no-cache' } })
          .then((response) => {
            if (!response.ok) throw new Error(`HTTP error! status: ${response.status}`);
            const reader = response.body?.getReader();
            if (!reader) throw new Error('No response body reader available');
            const processStream = () => {
              reader
                .read()
                .then(({ done, value }) => {
                  if (done) return;
                  const chunk = new TextDecoder().decode(value);
                  for (const line of chunk.split('\n')) {
                    if (line.startsWith('data: ')) {
                      try {
                        dispatch(JSON.parse(line.slice(6)) as RecordedCall['data']);
                      } catch (error) {
                        console.error('Error parsing SSE event:', error);
                      }
                    }
                  }
                  processStream();
                })
                .catch(retry);
            };
            processStream();
          })
          .catch(retry);
      };

      const connect = variant === 'eventsource' ? connectWithEventSource : connectWithFetch;
      // useEffect(() => { connect(); return cleanup; }, [connect])
      const effect = () => {
        connect();
        return () => {
          if (eventSourceRef.current) eventSourceRef.current.close();
          if (reconnectTimeoutRef.current) clearTimeout(reconnectTimeoutRef.current);
        };
      };
      let cleanup = effect();
      harness.rerender = () => {
        cleanup();
        cleanup = effect();
      };
      harness.unmount = () => cleanup();
    },
    { variant, apiUrl },
  );
}

export function recordedCalls(page: Page): Promise<RecordedCall[]> {
  return page.evaluate(() => (globalThis as unknown as PageGlobals).originalHook.calls);
}

export function connectionAttempts(page: Page): Promise<number> {
  return page.evaluate(() => (globalThis as unknown as PageGlobals).originalHook.connects);
}

export function rerenderOriginalUseEvents(page: Page): Promise<void> {
  return page.evaluate(() => (globalThis as unknown as PageGlobals).originalHook.rerender());
}

export function unmountOriginalUseEvents(page: Page): Promise<void> {
  return page.evaluate(() => (globalThis as unknown as PageGlobals).originalHook.unmount());
}
