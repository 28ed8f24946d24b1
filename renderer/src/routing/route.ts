/**
 * Routes live in the URL's hash (`#/conversations/12`), which works the same when the page is
 * served at `/` and when Electron loads it from file://.
 */
export type Route =
  | { page: 'conversations'; conversationId: number | null; messageId?: number | null }
  | { page: 'notifications'; eventId: number | null }
  | { page: 'appointments'; appointmentId: number | null }
  | { page: 'settings' }
  | { page: 'test' }
  | { page: 'admin'; section: AdminSection }
  | { page: 'alert-settings' }
  | { page: 'delivery-audit'; alertId: number | null };

/**
 * The admin console's sections (`#/admin/<section>`). Clinical alerting's two admin pages
 * (`#/admin/alerting`, `#/admin/audit[/<alert id>]`) are routes of their own beside them.
 */
export const ADMIN_SECTIONS = ['staff', 'notices', 'health'] as const;
export type AdminSection = (typeof ADMIN_SECTIONS)[number];

function isAdminSection(segment: string): segment is AdminSection {
  return (ADMIN_SECTIONS as readonly string[]).includes(segment);
}

export const DEFAULT_ROUTE: Route = { page: 'conversations', conversationId: null };

const ID = /^[1-9]\d{0,15}$/;

function optionalId(segment: string | undefined): number | null | undefined {
  if (segment === undefined || segment === '') return null;
  return ID.test(segment) ? Number(segment) : undefined;
}

/** Parses a hash; anything unknown or malformed yields null (the app shows "not found"). */
export function parseRoute(hash: string): Route | null {
  const path = hash.replace(/^#/, '');
  if (path === '' || path === '/') return DEFAULT_ROUTE;
  const [, first, second, ...rest] = path.split('/');
  // `#/conversations/12/345`: a conversation, opened at one of its messages (a search result).
  if (first === 'conversations' && rest.length === 1) {
    const conversationId = optionalId(second);
    const messageId = optionalId(rest[0]);
    return conversationId && messageId
      ? { page: 'conversations', conversationId, messageId }
      : null;
  }
  if (first === 'admin' && (second === 'alerting' || second === 'audit'))
    return parseAlertingAdminRoute(second, rest);
  if (rest.length > 0) return null;
  if (first === 'admin') {
    if (second === undefined || second === '') return { page: 'admin', section: 'staff' };
    return isAdminSection(second) ? { page: 'admin', section: second } : null;
  }
  const id = optionalId(second);
  if (id === undefined) return null;
  switch (first) {
    case 'conversations':
      return { page: 'conversations', conversationId: id };
    case 'notifications':
      return { page: 'notifications', eventId: id };
    case 'appointments':
      return { page: 'appointments', appointmentId: id };
    case 'settings':
      return id === null ? { page: 'settings' } : null;
    case 'test':
      return id === null ? { page: 'test' } : null;
    default:
      return null;
  }
}

/** `#/admin/alerting`, `#/admin/audit`, `#/admin/audit/<alert id>`. */
function parseAlertingAdminRoute(page: 'alerting' | 'audit', rest: string[]): Route | null {
  if (page === 'alerting' && rest.length === 0) return { page: 'alert-settings' };
  if (page === 'audit' && rest.length <= 1) {
    const alertId = optionalId(rest[0]);
    return alertId === undefined ? null : { page: 'delivery-audit', alertId };
  }
  return null;
}

export function routeHref(route: Route): string {
  switch (route.page) {
    case 'conversations':
      if (route.conversationId === null) return '#/conversations';
      return route.messageId
        ? `#/conversations/${route.conversationId}/${route.messageId}`
        : `#/conversations/${route.conversationId}`;
    case 'notifications':
      return route.eventId === null ? '#/notifications' : `#/notifications/${route.eventId}`;
    case 'appointments':
      return route.appointmentId === null
        ? '#/appointments'
        : `#/appointments/${route.appointmentId}`;
    case 'settings':
      return '#/settings';
    case 'test':
      return '#/test';
    case 'admin':
      return `#/admin/${route.section}`;
    case 'alert-settings':
      return '#/admin/alerting';
    case 'delivery-audit':
      return route.alertId === null ? '#/admin/audit' : `#/admin/audit/${route.alertId}`;
  }
}
