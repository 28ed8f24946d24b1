import { describe, expect, it } from 'vitest';
import { launchOptions } from '../../main/lifecycle/launch-options.js';
import { isTestMode } from '../../main/test-mode.js';
import { RendererRecovery } from '../../main/window/renderer-recovery.js';
import { ManualClock } from './support/manual-clock.js';

describe('how a launch was meant', () => {
  it('starts hidden at login: --hidden on Windows and Linux, wasOpenedAtLogin on macOS', () => {
    expect(launchOptions(['ClinicPulse.exe', '--hidden'], 'win32', () => false).hidden).toBe(true);
    expect(launchOptions(['/opt/ClinicPulse/clinicpulse'], 'linux', () => true).hidden).toBe(false);
    expect(launchOptions(['/Applications/ClinicPulse.app'], 'darwin', () => true).hidden).toBe(
      true,
    );
    expect(launchOptions(['/Applications/ClinicPulse.app'], 'darwin', () => false).hidden).toBe(
      false,
    );
  });

  it('opens at the link it was launched with, even at login', () => {
    expect(
      launchOptions(
        ['ClinicPulse.exe', '--hidden', 'clinicpulse://conversation/7'],
        'win32',
        () => false,
      ),
    ).toEqual({
      hidden: false,
      link: { kind: 'open', target: { kind: 'conversation', conversationId: '7' } },
    });
  });

  it("stays in the tray when launched by a toast's Acknowledge", () => {
    const acknowledge = `clinicpulse://acknowledge/41/${'ab'.repeat(16)}`;
    expect(launchOptions(['ClinicPulse.exe', acknowledge], 'win32', () => false)).toEqual({
      hidden: true,
      link: { kind: 'acknowledge', alertId: 41, signature: 'ab'.repeat(16) },
    });
  });
});

describe('test mode', () => {
  it('is honoured only by a development build, never by an installed app', () => {
    expect(isTestMode({ CLINICPULSE_TEST_MODE: '1' }, false)).toBe(true);
    expect(isTestMode({ CLINICPULSE_TEST_MODE: '1' }, true)).toBe(false);
    expect(isTestMode({}, false)).toBe(false);
  });
});

describe('a crashed page', () => {
  it('is reloaded, but not in a loop, and not after a clean exit', () => {
    const clock = new ManualClock();
    const recovery = new RendererRecovery({ clock, maxReloads: 3, windowMs: 60_000 });
    expect(recovery.shouldReload('clean-exit')).toBe(false);
    expect([1, 2, 3, 4].map(() => recovery.shouldReload('crashed'))).toEqual([
      true,
      true,
      true,
      false,
    ]);
    clock.advance(60_001);
    expect(recovery.shouldReload('oom')).toBe(true);
  });
});
