import { describe, expect, it } from 'vitest';
import { DEFAULT_DESKTOP_SETTINGS } from '../../common/desktop-bridge.js';
import {
  inQuietHours,
  popupAllowed,
  popupContent,
} from '../../renderer/src/notifications/popup-policy.js';
import { newMessage, systemNotice } from './support/frames.js';

const at = (clock: string) => new Date(`2025-01-20T${clock}:00`);

describe('browser pop-ups', () => {
  it('keep quiet hours that wrap midnight', () => {
    const quiet = { enabled: true, start: '22:00', end: '07:00' };
    expect(inQuietHours(quiet, at('23:30'))).toBe(true);
    expect(inQuietHours(quiet, at('06:59'))).toBe(true);
    expect(inQuietHours(quiet, at('07:00'))).toBe(false);
    expect(inQuietHours(quiet, at('12:00'))).toBe(false);
    expect(inQuietHours({ ...quiet, enabled: false }, at('23:30'))).toBe(false);
    expect(inQuietHours({ enabled: true, start: '12:00', end: '13:00' }, at('12:30'))).toBe(true);
  });

  it('stay away under do-not-disturb', () => {
    expect(popupAllowed(DEFAULT_DESKTOP_SETTINGS, at('12:00'))).toBe(true);
    expect(popupAllowed({ ...DEFAULT_DESKTOP_SETTINGS, doNotDisturb: true }, at('12:00'))).toBe(
      false,
    );
  });

  it('show only as much as the privacy level allows', () => {
    const event = newMessage(1, { sender: 'Dr. Raj Patel', text: 'Mr Jones in bed 4' });
    expect(popupContent(event, 'sender_and_text')).toEqual({
      title: 'Dr. Raj Patel',
      body: 'Mr Jones in bed 4',
    });
    expect(popupContent(event, 'sender_only')).toEqual({
      title: 'New message',
      body: 'From Dr. Raj Patel',
    });
    expect(popupContent(event, 'count_only')).toEqual({
      title: 'ClinicPulse',
      body: 'You have a new notification.',
    });
    expect(JSON.stringify(popupContent(systemNotice(2, 'Patient X'), 'sender_only'))).not.toContain(
      'Patient X',
    );
  });
});
