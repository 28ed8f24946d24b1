import { useEffect, useRef, type ReactNode } from 'react';
import { AdminPage } from '../admin/AdminPage.js';
import { useTestPanel } from '../admin/useTestPanel.js';
import { AlertBanners } from '../alerts/AlertBanners.js';
import { DutyToggle } from '../alerts/DutyToggle.js';
import { ConnectionIndicator } from '../components/ConnectionIndicator.js';
import { DoNotDisturbIndicator } from '../components/DoNotDisturbIndicator.js';
import { OutageBanner } from '../components/OutageBanner.js';
import { PopupPermissionBanner } from '../components/PopupPermissionBanner.js';
import { useEvents } from '../events/useEvents.js';
import { useInbox } from '../inbox/InboxProvider.js';
import { useConversations } from '../messages/ConversationsProvider.js';
import { BrowserPopups } from '../notifications/BrowserPopups.js';
import { AppointmentsPage } from '../pages/AppointmentsPage.js';
import { MessagesPage } from '../pages/MessagesPage.js';
import { NotFoundPage } from '../pages/NotFoundPage.js';
import { PresenceChoiceSelect } from '../presence/PresenceChoiceSelect.js';
import { NotificationsPage } from '../pages/NotificationsPage.js';
import { NotificationTestPage } from '../pages/NotificationTestPage.js';
import { AlertSettingsPage } from '../pages/admin/AlertSettingsPage.js';
import { DeliveryAuditPage } from '../pages/admin/DeliveryAuditPage.js';
import { SettingsPage } from '../pages/SettingsPage.js';
import { routeForTarget } from '../routing/event-route.js';
import type { Route } from '../routing/route.js';
import { useRoute } from '../routing/useRoute.js';
import { useSignOut } from '../send-queue/useSignOut.js';
import { useSession } from './session-context.js';

interface NavItem {
  page: Route['page'];
  label: string;
  href: string;
}

const EVERYONE_NAV: NavItem[] = [
  { page: 'conversations', label: 'Messages', href: '#/conversations' },
  { page: 'notifications', label: 'Notifications', href: '#/notifications' },
  { page: 'appointments', label: 'Appointments', href: '#/appointments' },
  { page: 'settings', label: 'Settings', href: '#/settings' },
];
const ADMIN_NAV: NavItem = { page: 'admin', label: 'Administration', href: '#/admin/staff' };
const TEST_NAV: NavItem = { page: 'test', label: 'Test panel', href: '#/test' };

export function AppShell({ onSessionEnded }: { onSessionEnded(): void }) {
  const { platform, user } = useSession();
  const signOut = useSignOut();
  const { route, navigate } = useRoute();
  const { unread } = useInbox();
  const { unreadTotal: unreadMessages } = useConversations();
  const mainRef = useRef<HTMLElement>(null);
  const testPanel = useTestPanel();
  const nav = [
    ...EVERYONE_NAV,
    ...(user.role === 'admin' ? [ADMIN_NAV] : []),
    ...(testPanel ? [TEST_NAV] : []),
  ];

  useEvents({
    onConnectionChange: (state) => {
      if (state.status === 'signed_out') onSessionEnded();
    },
  });

  // A REST call that finds the session gone ends it here too, not only a failing event stream.
  useEffect(() => platform.api.onUnauthorized(onSessionEnded), [platform, onSessionEnded]);

  useEffect(
    () => platform.onNotificationClick((target) => navigate(routeForTarget(target))),
    [platform, navigate],
  );

  useEffect(() => {
    document.title = unread > 0 ? `(${unread}) ClinicPulse` : 'ClinicPulse';
  }, [unread]);

  // After moving to another page, put keyboard and screen-reader focus on its heading.
  const page = route?.page ?? null;
  const previousPage = useRef(page);
  useEffect(() => {
    if (previousPage.current === page) return;
    previousPage.current = page;
    const heading = mainRef.current?.querySelector<HTMLElement>('.page-title');
    (heading ?? mainRef.current)?.focus();
  }, [page]);

  let content: ReactNode;
  switch (route?.page) {
    case 'conversations':
      content = (
        <MessagesPage
          conversationId={route.conversationId}
          messageId={route.messageId ?? null}
          navigate={navigate}
        />
      );
      break;
    case 'notifications':
      content = <NotificationsPage eventId={route.eventId} />;
      break;
    case 'appointments':
      content = <AppointmentsPage appointmentId={route.appointmentId} />;
      break;
    case 'settings':
      content = <SettingsPage />;
      break;
    case 'test':
      content = testPanel ? <NotificationTestPage /> : <NotFoundPage />;
      break;
    case 'admin':
      content = <AdminPage section={route.section} />;
      break;
    case 'alert-settings':
      content = <AlertSettingsPage />;
      break;
    case 'delivery-audit':
      content = <DeliveryAuditPage alertId={route.alertId} navigate={navigate} />;
      break;
    case undefined:
      content = <NotFoundPage />;
      break;
  }

  return (
    <div className="app">
      <button type="button" className="skip-link" onClick={() => mainRef.current?.focus()}>
        Skip to content
      </button>
      <header className="topbar">
        <a className="brand" href="#/conversations">
          <span className="brand-mark" aria-hidden="true" />
          ClinicPulse
        </a>
        <nav className="nav" aria-label="Main">
          <ul>
            {nav.map((item) => (
              <li key={item.page}>
                <a
                  className="nav__link"
                  href={item.href}
                  aria-current={route?.page === item.page ? 'page' : undefined}
                >
                  {item.label}
                  {item.page === 'conversations' && unreadMessages > 0 && (
                    <span className="badge" data-testid="nav-unread-messages">
                      {unreadMessages}
                      <span className="visually-hidden"> unread</span>
                    </span>
                  )}
                  {item.page === 'notifications' && unread > 0 && (
                    <span className="badge" data-testid="nav-unread">
                      {unread}
                      <span className="visually-hidden"> unread</span>
                    </span>
                  )}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div className="topbar__end">
          <PresenceChoiceSelect />
          <DutyToggle />
          <DoNotDisturbIndicator />
          <ConnectionIndicator />
          <span className="account" data-testid="signed-in-user">
            {user.displayName}
          </span>
          <button
            type="button"
            className="button button--small"
            onClick={signOut}
            aria-label={`Sign out ${user.displayName}`}
          >
            Sign out
          </button>
        </div>
      </header>
      <OutageBanner />
      {platform.showsOwnPopups && <PopupPermissionBanner />}
      <AlertBanners route={route} navigate={navigate} />
      <main ref={mainRef} id="main" className="content" tabIndex={-1}>
        {content}
      </main>
      {platform.showsOwnPopups && <BrowserPopups navigate={navigate} />}
    </div>
  );
}
