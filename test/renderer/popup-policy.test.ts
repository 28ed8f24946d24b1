import { describe, expect, it } from 'vitest';
import { DEFAULT_DESKTOP_SETTINGS } from '../../common/desktop-bridge.js';
import { previewFor } from '../../common/notification-preview.js';
import { quietHoldReason } from '../../renderer/src/notifications/popup-policy.js';
import { newMessage, systemNotice } from './support/frames.js';

const at = (clock: string) => new Date(`2025-01-20T${clock}:00`);

describe('browser pop-ups', () => {
  it('stay away in quiet hours that wrap midnight', () => {
    const quietNights = {
      ...DEFAULT_DESKTOP_SETTINGS,
      quietHours: { enabled: true, start: '22:00', end: '07:00' },
    };
    expect(quietHoldReason(quietNights, at('23:30'))).toBe('quiet_hours');
    expect(quietHoldReason(quietNights, at('06:59'))).toBe('quiet_hours');
    expect(quietHoldReason(quietNights, at('07:00'))).toBeNull();
  });

  it('stay away under do-not-disturb', () => {
    expect(quietHoldReason(DEFAULT_DESKTOP_SETTINGS, at('12:00'))).toBeNull();
    expect(quietHoldReason({ ...DEFAULT_DESKTOP_SETTINGS, doNotDisturb: true }, at('12:00'))).toBe(
      'do_not_disturb',
    );
  });

  it('show only as much as the privacy level allows', () => {
    const event = newMessage(1, { sender: 'Dr. Raj Patel', text: 'Mr Jones in bed 4' });
    expect(previewFor(event, 'sender_and_text')).toEqual({
      title: 'Dr. Raj Patel',
      body: 'Mr Jones in bed 4',
    });
    expect(previewFor(event, 'sender_only')).toEqual({
      title: 'Dr. Raj Patel',
      body: 'New message',
    });
    expect(previewFor(event, 'count_only')).toEqual({ title: 'ClinicPulse', body: 'New message' });
  });

  it('show a notice from the clinic unless the desk chose nothing identifying, and name a group conversation', () => {
    const drill = systemNotice(2, 'Fire drill at 14:00');
    expect(previewFor(drill, 'sender_only')).toEqual({
      title: 'ClinicPulse',
      body: 'Fire drill at 14:00',
    });
    expect(previewFor(drill, 'count_only')).toEqual({
      title: 'ClinicPulse',
      body: 'New notice from the clinic',
    });
    const inGroup = newMessage(3, {
      sender: 'Dr. Raj Patel',
      conversation_title: 'Ward 3 handover',
    });
    expect(previewFor(inGroup, 'sender_only')).toEqual({
      title: 'Dr. Raj Patel in Ward 3 handover',
      body: 'New message',
    });
    expect(previewFor(inGroup, 'count_only')).toEqual({
      title: 'ClinicPulse',
      body: 'New message',
    });
  });
});
