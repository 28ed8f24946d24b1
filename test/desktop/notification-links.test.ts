import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { NotificationTarget } from '../../common/desktop-bridge.js';
import { AcknowledgeLinks } from '../../main/notify/acknowledge-links.js';
import type { NativeNotification, PopupOutcome } from '../../main/notify/native-notification.js';
import {
  linkForAcknowledge,
  linkForTarget,
  linkFromArgv,
  parseLink,
  type NotificationLink,
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
    expect(targets.map((target) => parseLink(linkForTarget(target)))).toEqual(
      targets.map((target) => ({ kind: 'open', target })),
    );
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
      'clinicpulse://acknowledge/12',
      'clinicpulse://acknowledge/0/00112233445566778899aabbccddeeff',
      'clinicpulse://acknowledge/twelve/00112233445566778899aabbccddeeff',
      'clinicpulse://acknowledge/12/0011223344',
      'clinicpulse://acknowledge/12/00112233445566778899aabbccddeeff/more',
      'clinicpulse://acknowledge/12/00112233445566778899aabbccddeeff?then=open',
      'not a url',
    ])
      expect(parseLink(link), link).toBeNull();
  });

  it("finds the link in a second instance's command line, as Windows launches it", () => {
    expect(
      linkFromArgv([
        'C:\\Program Files\\ClinicPulse\\ClinicPulse.exe',
        '--allow-file-access-from-files',
        'clinicpulse://appointment/456',
      ]),
    ).toEqual({ kind: 'open', target: { kind: 'appointment', appointmentId: '456' } });
    expect(linkFromArgv(['/opt/ClinicPulse/clinicpulse', '--hidden'])).toBeNull();
  });
});

/** The parsed form of a link that must be an acknowledge link. */
function acknowledgeLink(link: string): Extract<NotificationLink, { kind: 'acknowledge' }> {
  const parsed = parseLink(link);
  if (parsed?.kind !== 'acknowledge') throw new Error(`not an acknowledge link: ${link}`);
  return parsed;
}

describe('acknowledge links (the Acknowledge button of an urgent toast on Windows)', () => {
  const directories: string[] = [];
  afterEach(() => {
    for (const directory of directories.splice(0))
      rmSync(directory, { recursive: true, force: true });
  });
  const userData = () => {
    const directory = mkdtempSync(join(tmpdir(), 'clinicpulse-links-'));
    directories.push(directory);
    return directory;
  };

  it('are built for an alert and parsed back, signed by this installation, also after a restart', async () => {
    const directory = userData();
    const links = await AcknowledgeLinks.load(directory);
    const link = links.linkFor(41);
    expect(link).toMatch(/^clinicpulse:\/\/acknowledge\/41\/[0-9a-f]{32}$/);
    const parsed = acknowledgeLink(link);
    expect(parsed).toMatchObject({ kind: 'acknowledge', alertId: 41 });
    expect(links.madeHere(parsed)).toBe(true);
    // The key stays on this desk only, readable by its user alone.
    if (process.platform !== 'win32')
      expect(statSync(join(directory, 'link-key')).mode & 0o077).toBe(0);

    const restarted = await AcknowledgeLinks.load(directory);
    expect(restarted.linkFor(41)).toBe(link);
    // Windows may hand the link over in capitals; it is still the same link.
    expect(parseLink(link.toUpperCase())).toEqual(parsed);
    expect(linkFromArgv(['ClinicPulse.exe', link])).toEqual(parsed);
  });

  it('refuse what this installation did not sign: another alert, another desk, a guess', async () => {
    const links = await AcknowledgeLinks.load(userData());
    const elsewhere = await AcknowledgeLinks.load(userData());
    const forAlert41 = acknowledgeLink(links.linkFor(41));
    expect(links.madeHere({ ...forAlert41, alertId: 42 })).toBe(false);
    expect(elsewhere.madeHere(forAlert41)).toBe(false);
    expect(links.madeHere(acknowledgeLink(linkForAcknowledge(41, '0'.repeat(32))))).toBe(false);
  });
});

describe('Windows toasts', () => {
  it('of an urgent alert offer Acknowledge, which launches its signed link, then Open and Dismiss', () => {
    const acknowledge = `clinicpulse://acknowledge/41/${'ab'.repeat(16)}`;
    const xml = windowsToastXml(
      popup({ urgency: 'critical', persistent: true, acknowledgeAlertId: 41 }),
      acknowledge,
    );
    expect(xml).toContain('scenario="reminder"');
    expect(xml).toContain(
      `<actions><action content="Acknowledge" activationType="protocol" arguments="${acknowledge}"/><action content="Open" activationType="protocol" arguments="clinicpulse://conversation/12"/><action content="Dismiss" activationType="system" arguments="dismiss"/></actions>`,
    );
    // A pop-up that asks for no acknowledgement gets no such button.
    expect(windowsToastXml(popup({ persistent: true }), acknowledge)).not.toContain('Acknowledge');
  });

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
