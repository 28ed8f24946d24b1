import { describe, expect, it } from 'vitest';
import { DEFAULT_DESKTOP_SETTINGS } from '../../common/desktop-bridge.js';
import {
  deliveryDecision,
  type DeliveryContext,
} from '../../renderer/src/alerts/delivery-decision.js';
import { newMessage, reminder } from './support/frames.js';

const context = (fields: Partial<DeliveryContext> = {}): DeliveryContext => ({
  visible: true,
  openConversationId: null,
  inboxOpen: false,
  settings: DEFAULT_DESKTOP_SETTINGS,
  popupPermission: 'granted',
  now: new Date('2025-01-20T12:00:00'),
  ...fields,
});
const dnd = { ...DEFAULT_DESKTOP_SETTINGS, doNotDisturb: true };

describe('how a browser page delivers an alert, and what it reports', () => {
  it('counts a message in the conversation on screen as shown, with nothing else raised', () => {
    expect(deliveryDecision(newMessage(1), context({ openConversationId: 7 }))).toEqual({
      inView: true,
      banner: false,
      popup: false,
      receipt: { state: 'shown', overDoNotDisturb: false },
    });
  });

  it('counts a routine notification as shown while the inbox is on screen, but bannered when urgent', () => {
    expect(deliveryDecision(newMessage(1), context({ inboxOpen: true }))).toMatchObject({
      inView: true,
      banner: false,
      receipt: { state: 'shown' },
    });
    expect(
      deliveryDecision(newMessage(1, { priority: 'urgent' }), context({ inboxOpen: true })),
    ).toMatchObject({ inView: false, banner: true });
  });

  it('holds a routine message of a muted conversation, but not an urgent one', () => {
    expect(deliveryDecision(newMessage(1, { muted: true }), context({ visible: false }))).toEqual({
      inView: false,
      banner: false,
      popup: false,
      receipt: { state: 'held', reason: 'conversation_muted' },
    });
    expect(
      deliveryDecision(newMessage(2, { muted: true, priority: 'urgent' }), context()),
    ).toMatchObject({ banner: true, receipt: { state: 'shown' } });
  });

  it('shows a banner on screen and a pop-up in the background', () => {
    expect(deliveryDecision(newMessage(1), context())).toMatchObject({
      banner: true,
      popup: false,
      receipt: { state: 'shown' },
    });
    expect(deliveryDecision(newMessage(1), context({ visible: false }))).toMatchObject({
      banner: false,
      popup: true,
      receipt: { state: 'shown' },
    });
  });

  it('holds a routine alert under do-not-disturb and quiet hours, saying which', () => {
    expect(deliveryDecision(newMessage(1), context({ settings: dnd }))).toMatchObject({
      banner: false,
      popup: false,
      receipt: { state: 'held', reason: 'do_not_disturb' },
    });
    const nights = {
      ...DEFAULT_DESKTOP_SETTINGS,
      quietHours: { enabled: true, start: '22:00', end: '07:00' },
    };
    expect(
      deliveryDecision(
        newMessage(1),
        context({ settings: nights, now: new Date('2025-01-20T23:30:00') }),
      ).receipt,
    ).toEqual({ state: 'held', reason: 'quiet_hours' });
  });

  it('lets urgent messages and reminders through do-not-disturb when the clinic does, and says so', () => {
    const passing = [
      newMessage(1, { priority: 'urgent', passes_do_not_disturb: true }),
      { ...reminder(2), passes_do_not_disturb: true },
    ];
    for (const event of passing) {
      expect(deliveryDecision(event, context({ settings: dnd }))).toMatchObject({
        banner: true,
        receipt: { state: 'shown', overDoNotDisturb: true },
      });
    }
    // The clinic's policy is off: urgent alerts are held like routine ones.
    expect(
      deliveryDecision(newMessage(3, { priority: 'urgent' }), context({ settings: dnd })),
    ).toMatchObject({ banner: false, receipt: { state: 'held', reason: 'do_not_disturb' } });
  });

  it('holds a background alert when pop-ups are not allowed, keeping an urgent banner for the return', () => {
    expect(
      deliveryDecision(newMessage(1), context({ visible: false, popupPermission: 'denied' })),
    ).toMatchObject({
      banner: false,
      popup: false,
      receipt: { state: 'held', reason: 'notifications_denied' },
    });
    expect(
      deliveryDecision(
        newMessage(1, { priority: 'urgent' }),
        context({ visible: false, popupPermission: 'default' }),
      ),
    ).toMatchObject({
      banner: true,
      popup: false,
      receipt: { state: 'held', reason: 'notifications_denied' },
    });
  });
});
