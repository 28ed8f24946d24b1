import { useMemo, useState } from 'react';
import type { User } from '../../../common/api.js';
import { ReceiptsProvider } from '../alerts/ReceiptsProvider.js';
import { EventsProvider } from '../events/EventsProvider.js';
import { InboxProvider } from '../inbox/InboxProvider.js';
import { IdleLock } from '../lock/IdleLock.js';
import { ConversationsProvider } from '../messages/ConversationsProvider.js';
import type { Platform } from '../platform/platform.js';
import { PresenceProvider } from '../presence/PresenceProvider.js';
import { SendQueueProvider } from '../send-queue/SendQueueProvider.js';
import { SettingsProvider } from '../settings/SettingsProvider.js';
import { AppShell } from './AppShell.js';
import { SessionContext, type Session } from './session-context.js';
import { UsersProvider } from './UsersProvider.js';

interface SignedInAppProps {
  platform: Platform;
  user: User;
  onSignOut(): void;
  onSessionEnded(): void;
}

/** Everything that lives for one signed-in session, starting with its one event source. */
export function SignedInApp({ platform, user, onSignOut, onSessionEnded }: SignedInAppProps) {
  const [hub] = useState(() => platform.createEventHub());
  const session = useMemo<Session>(
    () => ({ platform, api: platform.api, user, signOut: onSignOut }),
    [platform, user, onSignOut],
  );

  return (
    <SessionContext.Provider value={session}>
      <EventsProvider hub={hub}>
        <SettingsProvider store={platform.settings}>
          <UsersProvider>
            <PresenceProvider>
              <InboxProvider>
                <SendQueueProvider>
                  <ConversationsProvider>
                    <ReceiptsProvider>
                      <IdleLock>
                        <AppShell onSessionEnded={onSessionEnded} />
                      </IdleLock>
                    </ReceiptsProvider>
                  </ConversationsProvider>
                </SendQueueProvider>
              </InboxProvider>
            </PresenceProvider>
          </UsersProvider>
        </SettingsProvider>
      </EventsProvider>
    </SessionContext.Provider>
  );
}
