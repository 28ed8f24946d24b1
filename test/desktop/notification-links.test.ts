import { describe, expect, it } from 'vitest';
import type { NotificationTarget } from '../../common/desktop-bridge.js';
import type { NativeNotification, PopupOutcome } from '../../main/notify/native-notification.js';
import {
  linkForTarget,
  targetFromArgv,
  targetFromLink,
} from '../../main/notify/notification-link.js';
import { Notifier } from '../../main/notify/notifier.js';
import { windowsToastXml } from '../../main/notify/windows-toast-xml.js';
import { ManualClock } from './support/manual-clock.js';
import { message, reminder } from './support/events.js';
import { DEFAULT_DESKTOP_SETTINGS } from '../../common/desktop-bridge.js';

const popup = (overrides: Partial<NativeNotification> = {}): NativeNotification => ({
  kind: 'single',
  title: 'Mia Lee',
  body: 'New message',
  urgency: 'normal',
  persistent: false,
  silent: false,
  target: { kind: 'conversation', conversationId: '12' },
  eventIds: [1],
  ...overrides,
});

describe('clinicpulse:// links (Windows Action Center clicks, macOS open-url)', () => {
  it('round-trips every kind of target', () => {
    const targets: NotificationTarget[] = [
      { kind: 'conversation', conversationId: '12' },
      { kind: 'appointment', appointmentId: 'test-123' },
      { kind: 'inbox' },
    ];
    expect(targets.map(linkForTarget)).toEqual([
      'clinicpulse://conversation/12',
      'clinicpulse://appointment/test-123',
      'clinicpulse://inbox',
    ]);
    expect(targets.map((target) => targetFromLink(linkForTarget(target)))).toEqual(targets);
  });

  it('refuses links that are not exactly one of them', () => {
    for (const link of [
      'https://clinicpulse/conversation/12',
      'clinicpulse://conversation/',
      'clinicpulse://conversation/12/extra',
      'clinicpulse://conversation/12?next=https://evil.example',
      'clinicpulse://conversation/..%2F..%2Fetc',
      'clinicpulse://settings/1',
      'clinicpulse://inbox/1',
      'not a url',
    ])
      expect(targetFromLink(link), link).toBeNull();
  });

  it("finds the link in a second instance's command line, as Windows launches it", () => {
    expect(
      targetFromArgv([
        'C:\\Program Files\\ClinicPulse\\ClinicPulse.exe',
        '--allow-file-access-from-files',
        'clinicpulse://appointment/456',
      ]),
    ).toEqual({ kind: 'appointment', appointmentId: '456' });
    expect(targetFromArgv(['/opt/ClinicPulse/clinicpulse', '--hidden'])).toBeNull();
  });
});

describe('Windows toasts', () => {
  it('launch the target by protocol, so a click in the Action Center opens it', () => {
    const xml = windowsToastXml(popup());
    expect(xml).toMatch(
      /^<toast launch="clinicpulse:\/\/conversation\/12" activationType="protocol">/,
    );
    expect(xml).toContain('<text>Mia Lee</text><text>New message</text>');
    expect(xml).not.toContain('scenario=');
  });

  it('escape the text, stay on screen for a reminder with Open and Dismiss, and can be silent', () => {
    const xml = windowsToastXml(
      popup({
        title: 'Dr. "Raj" <Patel> & co',
        body: 'Room 3 <b>now</b>',
        persistent: true,
        silent: true,
        target: { kind: 'appointment', appointmentId: '456' },
      }),
    );
    expect(xml).toContain('<text>Dr. &quot;Raj&quot; &lt;Patel&gt; &amp; co</text>');
    expect(xml).toContain('<text>Room 3 &lt;b&gt;now&lt;/b&gt;</text>');
    expect(xml).toContain('scenario="reminder"');
    expect(xml).toContain(
      '<action content="Open" activationType="protocol" arguments="clinicpulse://appointment/456"/>',
    );
    expect(xml).toContain('<audio silent="true"/>');
  });
});

describe('what the OS did with a pop-up', () => {
  it('reaches the notifier per event: shown, or failed with the reason (macOS, unsigned build)', async () => {
    const outcomes: [readonly number[], PopupOutcome][] = [];
    const clock = new ManualClock();
    const notifier = new Notifier({
      // Stands in for macOS refusing the pop-ups of an app without notification permission.
      sink: {
        show: (notification, callbacks) =>
          callbacks.outcome(
            notification.persistent
              ? { state: 'failed', reason: 'Notifications are not allowed for this application' }
              : { state: 'shown' },
          ),
        close: () => undefined,
      },
      ledger: {
        hasNotified: () => false,
        markNotified: () => undefined,
        persist: async () => undefined,
      },
      clock,
      platform: 'darwin',
      environment: {
        settings: () => DEFAULT_DESKTOP_SETTINGS,
        windowFocused: () => false,
        openConversationId: () => null,
        osDoNotDisturb: () => false,
      },
      onClick: () => undefined,
      onOutcome: (eventIds, outcome) => outcomes.push([eventIds, outcome]),
    });
    await notifier.handle(reminder(5));
    await notifier.handle(message(6));
    clock.advance(5_000);
    expect(outcomes).toEqual([
      [[5], { state: 'failed', reason: 'Notifications are not allowed for this application' }],
      [[6], { state: 'shown' }],
    ]);
  });
});
