import { createContext, useContext, useEffect, type ReactNode } from 'react';
import type { EventHub } from './event-hub.js';

const EventHubContext = createContext<EventHub | null>(null);

/** Runs the page's one event source for as long as the signed-in part of the app is mounted. */
export function EventsProvider({ hub, children }: { hub: EventHub; children: ReactNode }) {
  useEffect(() => {
    hub.start();
    return () => hub.stop();
  }, [hub]);
  return <EventHubContext.Provider value={hub}>{children}</EventHubContext.Provider>;
}

export function useEventHub(): EventHub {
  const hub = useContext(EventHubContext);
  if (!hub) throw new Error('useEvents must be used inside <EventsProvider>');
  return hub;
}
