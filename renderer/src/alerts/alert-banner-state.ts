import type { Route } from '../routing/route.js';

/** One in-app alert on screen. */
export interface AlertBannerItem {
  eventId: number;
  /** The server's alert this event belongs to, when it has one (acknowledge, receipts). */
  alertId: number | null;
  urgent: boolean;
  title: string;
  body: string;
  route: Route;
  /** The conversation a message banner is about, so opening it clears the banner. */
  conversationId: number | null;
  /** "Repeat 2 of 3" when the server alerted again. */
  repeat: { number: number; of: number } | null;
  /** When it was (last) raised, ms since the epoch; routine banners go after a while. */
  raisedAt: number;
}

export type AlertBannerAction =
  | { type: 'raised'; item: AlertBannerItem }
  | { type: 'dismissed'; eventId: number }
  | { type: 'alert_settled'; alertId: number }
  | { type: 'conversation_opened'; conversationId: number }
  | { type: 'expired'; now: number; routineMs: number };

/** At most this many banners are kept; the oldest routine ones go first. */
export const MAX_BANNERS = 5;

export function alertBannerReducer(
  items: readonly AlertBannerItem[],
  action: AlertBannerAction,
): readonly AlertBannerItem[] {
  switch (action.type) {
    case 'raised': {
      const { item } = action;
      // A repeat of an alert already on screen replaces it rather than stacking a second one.
      const others = items.filter(
        (existing) =>
          existing.eventId !== item.eventId &&
          (item.alertId === null || existing.alertId !== item.alertId),
      );
      return trim([item, ...others]);
    }
    case 'dismissed':
      return without(items, (item) => item.eventId === action.eventId);
    case 'alert_settled':
      return without(items, (item) => item.alertId === action.alertId);
    case 'conversation_opened':
      return without(items, (item) => item.conversationId === action.conversationId);
    case 'expired':
      return without(
        items,
        (item) => !item.urgent && action.now - item.raisedAt >= action.routineMs,
      );
  }
}

function without(
  items: readonly AlertBannerItem[],
  drop: (item: AlertBannerItem) => boolean,
): readonly AlertBannerItem[] {
  const kept = items.filter((item) => !drop(item));
  return kept.length === items.length ? items : kept;
}

/** Urgent banners are never pushed out by routine ones. */
function trim(items: AlertBannerItem[]): AlertBannerItem[] {
  if (items.length <= MAX_BANNERS) return items;
  const urgent = items.filter((item) => item.urgent);
  const routine = items.filter((item) => !item.urgent);
  const room = Math.max(0, MAX_BANNERS - urgent.length);
  const keep = new Set([...urgent, ...routine.slice(0, room)]);
  return items.filter((item) => keep.has(item));
}
