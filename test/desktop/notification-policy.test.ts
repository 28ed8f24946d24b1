import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_DESKTOP_SETTINGS,
  type DesktopSettings,
  type NotificationTarget,
} from '../../common/desktop-bridge.js';
import { writeFileAtomic } from '../../main/cursor/atomic-file.js';
import { CursorStore } from '../../main/cursor/cursor-store.js';
import { escapeLibnotifyMarkup } from '../../main/notify/libnotify-markup.js';
import { Notifier, type NotifiedLedger } from '../../main/notify/notifier.js';
import { isWithinQuietHours } from '../../common/quiet-hours.js';
import { RecordingNotificationSink } from '../../main/notify/recording-notification-sink.js';
import { waitUntil } from './support/desk.js';
import { ManualClock } from './support/manual-clock.js';
import { message, reminder, systemNotice } from './support/events.js';

class MemoryLedger implements NotifiedLedger {
  readonly ids = new Set<number>();
  hasNotified(id: number) {
    return this.ids.has(id);
  }
  markNotified(id: number) {
    this.ids.add(id);
  }
  async persist() {}
}

interface Harness {
  notifier: Notifier;
  sink: RecordingNotificationSink;
  clock: ManualClock;
  settings: DesktopSettings;
  window: { focused: boolean; conversationId: string | null; osDnd: boolean };
  clicks: NotificationTarget[];
}

function harness(
  options: {
    platform?: NodeJS.Platform;
    ledger?: NotifiedLedger;
    settings?: Partial<DesktopSettings>;
  } = {},
): Harness {
  const sink = new RecordingNotificationSink();
  const clock = new ManualClock(new Date(2025, 0, 20, 10, 0, 0));
  const settings: DesktopSettings = { ...DEFAULT_DESKTOP_SETTINGS, ...options.settings };
  const window = { focused: false, conversationId: null as string | null, osDnd: false };
  const clicks: NotificationTarget[] = [];
  const notifier = new Notifier({
    sink,
    clock,
    ledger: options.ledger ?? new MemoryLedger(),
    platform: options.platform ?? 'linux',
    environment: {
      settings: () => settings,
      windowFocused: () => window.focused,
      openConversationId: () => window.conversationId,
      osDoNotDisturb: () => window.osDnd,
    },
    onClick: (target) => clicks.push(target),
    burst: { quietMs: 600, maxWaitMs: 3_000 },
    formatTime: () => '14:00',
  });
  return { notifier, sink, clock, settings, window, clicks };
}

/** Lets the burst window close so waiting pop-ups are shown. */
function settle(h: Harness) {
  h.clock.advance(5_000);
}

describe('preview levels', () => {
  it('defaults to sender only: who wrote, never what', async () => {
    const h = harness();
    expect(h.settings.previewLevel).toBe('sender_only');
    await h.notifier.handle(message(1));
    settle(h);
    expect(h.sink.shown).toHaveLength(1);
    expect(h.sink.shown[0]).toMatchObject({
      title: 'Dr. Sarah Smith',
      body: 'New message',
      kind: 'single',
      eventIds: [1],
    });
    expect(JSON.stringify(h.sink.shown)).not.toContain('Jones');
  });

  it('sender and text shows the message', async () => {
    const h = harness({ settings: { previewLevel: 'sender_and_text' } });
    await h.notifier.handle(message(1));
    settle(h);
    expect(h.sink.shown[0]).toMatchObject({
      title: 'Dr. Sarah Smith',
      body: 'Mr. Jones in room 3 needs his dressing changed',
    });
  });

  it('count only names neither sender nor content, for every event type', async () => {
    const h = harness({ settings: { previewLevel: 'count_only' } });
    await h.notifier.handle(message(1));
    settle(h);
    await h.notifier.handle(reminder(2));
    await h.notifier.handle(systemNotice(3, { content: 'Call Mrs. Brown back' }));
    settle(h);
    const text = JSON.stringify(h.sink.shown);
    expect(h.sink.shown).toHaveLength(3);
    for (const secret of ['Smith', 'Jones', 'Brown', 'checkup']) expect(text).not.toContain(secret);
    expect(h.sink.shown[0]).toMatchObject({ title: 'ClinicPulse', body: 'New message' });
  });

  it('reminders show their time, and their content only at sender and text', async () => {
    const hidden = harness();
    await hidden.notifier.handle(reminder(1));
    expect(hidden.sink.shown[0]).toMatchObject({
      title: 'Appointment reminder',
      body: 'Appointment at 14:00',
    });
    const shown = harness({ settings: { previewLevel: 'sender_and_text' } });
    await shown.notifier.handle(reminder(1));
    expect(shown.sink.shown[0]?.body).toBe('Appointment at 14:00: Annual checkup for Mrs. Brown');
  });

  it('folds control characters and cuts long text', async () => {
    const h = harness({ settings: { previewLevel: 'sender_and_text' } });
    await h.notifier.handle(
      message(1, { sender: 'Dr.\u0007 Patel\n', text: `line one\nline two ${'x'.repeat(400)}` }),
    );
    settle(h);
    const shown = h.sink.shown[0];
    expect(shown?.title).toBe('Dr. Patel');
    expect(shown?.body.startsWith('line one line two')).toBe(true);
    expect(shown?.body.length).toBeLessThanOrEqual(180);
    expect(shown?.body.endsWith('…')).toBe(true);
  });
});

describe('libnotify markup', () => {
  it('escapes the three markup characters and nothing else', () => {
    expect(escapeLibnotifyMarkup(`<b>bold</b> & <a href="x">'link'</a>`)).toBe(
      `&lt;b&gt;bold&lt;/b&gt; &amp; &lt;a href="x"&gt;'link'&lt;/a&gt;`,
    );
    expect(escapeLibnotifyMarkup('&amp;')).toBe('&amp;amp;');
  });

  it('escapes the body on Linux only, and never the plain-text title', async () => {
    const text = '<img src="x"> BP < 90 & falling';
    const linux = harness({ platform: 'linux', settings: { previewLevel: 'sender_and_text' } });
    await linux.notifier.handle(message(1, { sender: 'A & B <clinic>', text }));
    settle(linux);
    expect(linux.sink.shown[0]).toMatchObject({
      title: 'A & B <clinic>',
      body: '&lt;img src="x"&gt; BP &lt; 90 &amp; falling',
    });

    const windows = harness({ platform: 'win32', settings: { previewLevel: 'sender_and_text' } });
    await windows.notifier.handle(message(1, { text }));
    settle(windows);
    expect(windows.sink.shown[0]?.body).toBe(text);
  });
});

describe('holding pop-ups back', () => {
  it('do-not-disturb holds every pop-up, reminders included', async () => {
    const h = harness({ settings: { doNotDisturb: true } });
    expect(await h.notifier.handle(message(1))).toEqual({
      action: 'held',
      reason: 'do_not_disturb',
    });
    expect(await h.notifier.handle(reminder(2))).toEqual({
      action: 'held',
      reason: 'do_not_disturb',
    });
    settle(h);
    expect(h.sink.shown).toEqual([]);
  });

  it('do-not-disturb with an end time holds pop-ups until then only, even if nothing turned it off', async () => {
    const h = harness({
      settings: {
        doNotDisturb: true,
        doNotDisturbUntil: new Date(2025, 0, 20, 10, 30, 0).toISOString(),
      },
    });
    expect(await h.notifier.handle(message(1))).toEqual({
      action: 'held',
      reason: 'do_not_disturb',
    });
    h.clock.set(new Date(2025, 0, 20, 10, 30, 0));
    expect(await h.notifier.handle(message(2))).toEqual({ action: 'popup' });
    settle(h);
    expect(h.sink.eventIds()).toEqual([2]);
  });

  it('a held event is never popped up later, once do-not-disturb ends', async () => {
    const ledger = new MemoryLedger();
    const h = harness({ ledger, settings: { doNotDisturb: true } });
    await h.notifier.handle(message(1));
    h.settings.doNotDisturb = false;
    expect(await h.notifier.handle(message(1))).toEqual({
      action: 'skipped',
      reason: 'already_notified',
    });
    settle(h);
    expect(h.sink.shown).toEqual([]);
    expect(ledger.ids.has(1)).toBe(true);
  });

  it("the OS's own do-not-disturb holds pop-ups", async () => {
    const h = harness();
    h.window.osDnd = true;
    expect(await h.notifier.handle(message(1))).toEqual({
      action: 'held',
      reason: 'os_do_not_disturb',
    });
  });

  it('quiet hours hold pop-ups inside the range only', async () => {
    const h = harness({
      settings: { quietHours: { enabled: true, start: '12:00', end: '13:30' } },
    });
    h.clock.set(new Date(2025, 0, 20, 12, 15));
    expect(await h.notifier.handle(message(1))).toEqual({ action: 'held', reason: 'quiet_hours' });
    h.clock.set(new Date(2025, 0, 20, 13, 30));
    expect(await h.notifier.handle(message(2))).toEqual({ action: 'popup' });
  });

  it('quiet hours across midnight', () => {
    const night = { enabled: true, start: '22:00', end: '07:00' };
    const at = (hours: number, minutes = 0) => new Date(2025, 0, 20, hours, minutes);
    expect(isWithinQuietHours(night, at(21, 59))).toBe(false);
    expect(isWithinQuietHours(night, at(22, 0))).toBe(true);
    expect(isWithinQuietHours(night, at(23, 59))).toBe(true);
    expect(isWithinQuietHours(night, at(0, 0))).toBe(true);
    expect(isWithinQuietHours(night, at(6, 59))).toBe(true);
    expect(isWithinQuietHours(night, at(7, 0))).toBe(false);
    expect(isWithinQuietHours(night, at(12, 0))).toBe(false);
    expect(isWithinQuietHours({ ...night, enabled: false }, at(23, 0))).toBe(false);
    expect(isWithinQuietHours({ enabled: true, start: '09:00', end: '09:00' }, at(9, 0))).toBe(
      false,
    );
  });

  it('no pop-up for the conversation that is open and focused; others still pop up', async () => {
    const h = harness();
    h.window.focused = true;
    h.window.conversationId = '12';
    expect(await h.notifier.handle(message(1, { conversation_id: '12' }))).toEqual({
      action: 'held',
      reason: 'focused_conversation',
    });
    expect(await h.notifier.handle(message(2, { conversation_id: '99' }))).toEqual({
      action: 'popup',
    });
    h.window.focused = false;
    expect(await h.notifier.handle(message(3, { conversation_id: '12' }))).toEqual({
      action: 'popup',
    });
    settle(h);
    expect(h.sink.eventIds()).toEqual([2, 3]);
  });

  it('the backlog found at a first sign-in is recorded but not popped up', async () => {
    const h = harness();
    expect(await h.notifier.handle(message(1), { backlog: true })).toEqual({
      action: 'held',
      reason: 'backlog',
    });
    settle(h);
    expect(h.sink.shown).toEqual([]);
  });
});

describe('bursts and reminders', () => {
  it('twenty messages in two seconds become one summary pop-up', async () => {
    const h = harness();
    for (let i = 1; i <= 20; i++) {
      await h.notifier.handle(
        message(i, {
          sender: i % 2 ? 'Dr. Sarah Smith' : 'Nurse Ben Jones',
          conversation_id: String(i % 3),
        }),
      );
      h.clock.advance(100);
    }
    expect(h.sink.shown).toEqual([]);
    settle(h);
    expect(h.sink.shown).toHaveLength(1);
    expect(h.sink.shown[0]).toMatchObject({
      kind: 'summary',
      title: 'ClinicPulse',
      body: '20 new messages from Dr. Sarah Smith and Nurse Ben Jones',
      target: { kind: 'inbox' },
    });
    expect(h.sink.eventIds()).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it('a summary of one conversation opens it; count only hides the senders', async () => {
    const h = harness({ settings: { previewLevel: 'count_only' } });
    for (let i = 1; i <= 4; i++) await h.notifier.handle(message(i));
    settle(h);
    expect(h.sink.shown).toEqual([
      expect.objectContaining({
        kind: 'summary',
        body: '4 new messages',
        target: { kind: 'conversation', conversationId: '12' },
      }),
    ]);
  });

  it('messages far apart each get their own pop-up', async () => {
    const h = harness();
    await h.notifier.handle(message(1));
    h.clock.advance(1_000);
    await h.notifier.handle(message(2));
    settle(h);
    expect(h.sink.shown.map((n) => n.kind)).toEqual(['single', 'single']);
  });

  it('a steady trickle is still shown within the cap', async () => {
    const h = harness();
    for (let i = 1; i <= 12; i++) {
      await h.notifier.handle(message(i));
      h.clock.advance(500);
    }
    expect(h.sink.shown.length).toBeGreaterThan(0);
    settle(h);
    expect(h.sink.eventIds()).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
  });

  it('appointment reminders are urgent, stay until dismissed, and are not delayed or folded', async () => {
    const h = harness();
    for (let i = 1; i <= 5; i++) await h.notifier.handle(message(i));
    await h.notifier.handle(reminder(6));
    expect(h.sink.shown).toEqual([
      expect.objectContaining({
        kind: 'single',
        urgency: 'critical',
        persistent: true,
        eventIds: [6],
        target: { kind: 'appointment', appointmentId: '456' },
      }),
    ]);
    settle(h);
    expect(h.sink.shown[1]).toMatchObject({
      kind: 'summary',
      urgency: 'normal',
      persistent: false,
      eventIds: [1, 2, 3, 4, 5],
    });
  });

  it('sound follows the setting; flush shows what waits', async () => {
    const h = harness({ settings: { sound: false } });
    await h.notifier.handle(message(1));
    await h.notifier.flush();
    expect(h.sink.shown[0]).toMatchObject({ silent: true, urgency: 'normal', persistent: false });
  });

  it('clicking a pop-up runs the click handler with its target', async () => {
    const h = harness();
    await h.notifier.handle(message(1, { conversation_id: '77' }));
    await h.notifier.handle(systemNotice(2));
    settle(h);
    h.sink.click(0);
    h.sink.click(1);
    expect(h.clicks).toEqual([{ kind: 'conversation', conversationId: '77' }, { kind: 'inbox' }]);
  });
});

describe('at most one pop-up per event id, across restarts', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'clinicpulse-notify-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('an event handled before a restart is not shown again after it', async () => {
    const path = join(dir, 'cursor.json');
    const before = harness({ ledger: await CursorStore.open(path) });
    await before.notifier.handle(message(1));
    await before.notifier.handle(reminder(2));
    settle(before);
    expect(before.sink.eventIds().sort()).toEqual([1, 2]);

    const after = harness({ ledger: await CursorStore.open(path) });
    for (const event of [message(1), reminder(2), message(3)]) await after.notifier.handle(event);
    settle(after);
    expect(after.sink.eventIds()).toEqual([3]);
  });

  it('the id is on disk before the pop-up is shown', async () => {
    const path = join(dir, 'cursor.json');
    const store = await CursorStore.open(path);
    const h = harness({ ledger: store });
    await h.notifier.handle(reminder(5));
    expect(h.sink.shown).toHaveLength(1);
    expect((await CursorStore.open(path)).hasNotified(5)).toBe(true);
  });

  it('pop-ups decided together wait for one write of the ledger and show once it is on disk', async () => {
    const path = join(dir, 'cursor.json');
    let writes = 0;
    let diskDone: (() => void) | null = null;
    // A slow disk: each write waits until the test lets it finish.
    const store = await CursorStore.open(path, async (target, content) => {
      writes += 1;
      await new Promise<void>((resolve) => (diskDone = resolve));
      await writeFileAtomic(target, content);
    });
    const h = harness({ ledger: store });
    const decided = [reminder(5), message(6), message(7), message(8)].map((event) =>
      h.notifier.handle(event),
    );
    await waitUntil(() => diskDone !== null, 'the ledger write began');
    settle(h);
    expect(h.sink.shown).toEqual([]);

    diskDone!();
    expect(await Promise.all(decided)).toEqual([
      { action: 'popup' },
      { action: 'popup' },
      { action: 'popup' },
      { action: 'popup' },
    ]);
    settle(h);
    expect(writes).toBe(1);
    expect(h.sink.eventIds().sort()).toEqual([5, 6, 7, 8]);
    const reopened = await CursorStore.open(path);
    for (const id of [5, 6, 7, 8]) expect(reopened.hasNotified(id)).toBe(true);
  });
});

describe('what the screen does follows the order of the events', () => {
  it('a pop-up that could not be closed does not hold back the next one', async () => {
    const shown: number[][] = [];
    const problems: string[] = [];
    const notifier = new Notifier({
      sink: {
        show: (notification, callbacks) => {
          shown.push(notification.eventIds);
          callbacks.outcome({ state: 'shown' });
        },
        close: () => {
          throw new Error('the notification server went away');
        },
      },
      ledger: new MemoryLedger(),
      clock: new ManualClock(),
      platform: 'linux',
      environment: {
        settings: () => DEFAULT_DESKTOP_SETTINGS,
        windowFocused: () => false,
        openConversationId: () => null,
        osDoNotDisturb: () => false,
      },
      onClick: () => undefined,
      onProblem: (detail) => problems.push(detail),
    });
    await notifier.handle(message(1, { priority: 'urgent', alert_id: '7' }));
    notifier.close(7);
    await notifier.handle(message(2, { priority: 'urgent', alert_id: '8' }));
    expect(shown).toEqual([[1], [2]]);
    expect(problems).toEqual([expect.stringContaining('pop-ups of alert 7 not closed')]);
  });

  it('an urgent pop-up and its acknowledgement decided together leave nothing on screen', async () => {
    const h = harness();
    const popup = h.notifier.handle(
      message(9, { priority: 'urgent', alert_id: '41', text: 'Chest pain in room 3' }),
    );
    h.notifier.close(41);
    expect(await popup).toEqual({ action: 'popup' });
    await h.notifier.flush();
    expect(h.sink.shown).toHaveLength(1);
    expect(h.sink.shown[0]).toMatchObject({ acknowledgeAlertId: 41, persistent: true });
    expect(h.sink.onScreen(0)).toBe(false);
  });
});
