import { act, cleanup, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AlertStatus } from '../../common/alerts.js';
import { escalationLine } from '../../renderer/src/alerts/escalation-wording.js';
import { Composer } from '../../renderer/src/messages/Composer.js';
import { parseRoute, routeHref } from '../../renderer/src/routing/route.js';
import { FakeDesktopBridge, json } from './support/fake-desktop-bridge.js';
import { newMessage } from './support/frames.js';
import { conversation, renderApp } from './support/render-app.js';

afterEach(cleanup);

const time = (iso: string) => iso.slice(11, 16);
const base = {
  acknowledged: null,
  repeats: { sent: 0, planned: 3 },
  nextStepAt: null,
  escalation: null,
} as unknown as AlertStatus;

describe('escalation wording', () => {
  it('says how far the repeats have gone and when the next step is', () => {
    expect(escalationLine(base, time)).toBeNull();
    expect(
      escalationLine(
        { ...base, repeats: { sent: 2, planned: 3 }, nextStepAt: '2025-01-20T10:46:00Z' },
        time,
      ),
    ).toBe('Repeat 2 of 3 sent · next at 10:46');
  });

  it('says whom it was escalated to, or why it reached nobody', () => {
    const escalation = {
      at: '2025-01-20T10:48:00Z',
      target: 'on-duty nurses',
      recipients: ['Nurse Kim Park'],
      failure: null,
      conversationId: 9,
    };
    expect(escalationLine({ ...base, escalation }, time)).toBe(
      'Escalated to on-duty nurses at 10:48 (Nurse Kim Park)',
    );
    expect(
      escalationLine(
        {
          ...base,
          escalation: { ...escalation, recipients: [], failure: 'nobody was on duty as nurses' },
        },
        time,
      ),
    ).toBe('Escalation to on-duty nurses at 10:48 reached nobody: nobody was on duty as nurses');
  });
});

describe('choosing where an urgent message escalates', () => {
  it('offers the choice only while the message is urgent, and sends it with the message', async () => {
    const user = userEvent.setup();
    const onSend = vi.fn();
    render(
      <Composer
        onSend={onSend}
        label="Message"
        urgentOptions={(value, change) => (
          <button type="button" onClick={() => change({ kind: 'role', role: 'clinician' })}>
            {value ? 'Chosen' : 'Choose'}
          </button>
        )}
      />,
    );
    expect(screen.queryByRole('button', { name: 'Choose' })).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Urgent' }));
    await user.click(screen.getByRole('button', { name: 'Choose' }));
    await user.type(screen.getByLabelText('Message'), 'Bay 2{Enter}');
    expect(onSend).toHaveBeenLastCalledWith('Bay 2', {
      priority: 'urgent',
      escalateTo: { kind: 'role', role: 'clinician' },
    });
    await user.click(screen.getByRole('button', { name: 'Urgent' }));
    expect(screen.getByRole('button', { name: 'Choose' })).toBeDefined();
  });
});

describe('a repeat of an urgent alert', () => {
  it('raises the banner again, saying which repeat it is, in place of the first one', async () => {
    const bridge = new FakeDesktopBridge()
      .on('GET /api/conversations', () =>
        json({ conversations: [conversation(7), conversation(8)] }),
      )
      .on('GET /api/conversations/8', () => json({ conversation: conversation(8) }))
      .on('GET /api/conversations/8/messages?limit=50', () =>
        json({ messages: [], hasMore: false }),
      );
    renderApp(bridge, '#/conversations/8');
    await screen.findAllByRole('heading', { name: 'Messages' });
    await waitFor(() => expect(bridge.eventListenerCount).toBeGreaterThan(0));
    act(() => bridge.emit(newMessage(30, { priority: 'urgent', text: 'Bay 2', alert_id: '61' })));
    await screen.findByRole('alert');
    act(() =>
      bridge.emit({
        id: 31,
        type: 'alert_repeat',
        alert_id: '61',
        repeat: 2,
        of: 3,
        conversation_id: '7',
        message_id: '30',
        sender: 'Dr. Raj Patel',
        text: 'Bay 2',
        timestamp: '2025-01-20T10:46:00Z',
      }),
    );
    await waitFor(() => expect(screen.getByRole('alert').textContent).toContain('Repeat 2 of 3'));
    expect(screen.getAllByTestId('alert-banner')).toHaveLength(1);
    expect(
      within(screen.getByRole('alert')).getByRole('button', { name: 'Acknowledge' }),
    ).toBeDefined();
  });
});

describe('admin routes', () => {
  it('parse and print the alerting settings and the audit, with or without an alert', () => {
    expect(parseRoute('#/admin/alerting')).toEqual({ page: 'alert-settings' });
    expect(parseRoute('#/admin/audit')).toEqual({ page: 'delivery-audit', alertId: null });
    expect(parseRoute('#/admin/audit/12')).toEqual({ page: 'delivery-audit', alertId: 12 });
    expect(parseRoute('#/admin/audit/x')).toBeNull();
    expect(parseRoute('#/admin/nothing')).toBeNull();
    expect(routeHref({ page: 'delivery-audit', alertId: 12 })).toBe('#/admin/audit/12');
    expect(routeHref({ page: 'alert-settings' })).toBe('#/admin/alerting');
  });
});
