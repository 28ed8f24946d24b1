import { act, cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeDesktopBridge, json } from './support/fake-desktop-bridge.js';
import { systemNotice } from './support/frames.js';
import { renderApp } from './support/render-app.js';

afterEach(cleanup);

let bridge: FakeDesktopBridge;
beforeEach(() => {
  bridge = new FakeDesktopBridge()
    .on('GET /api/events/state', () => json({ lastEventId: 23, lastReadEventId: 20 }))
    .on('GET /api/notifications/marks', () => json({ marks: [{ eventId: 22, read: true }] }))
    .on('POST /api/notifications/marks', () => ({ status: 204, body: null }));
});

function unreadOf(text: string): boolean {
  const item = screen
    .getAllByTestId('inbox-item')
    .find((element) => element.textContent?.includes(text));
  if (!item) throw new Error(`no notification "${text}"`);
  return item.dataset.unread === 'true';
}

async function inboxWith(...texts: [number, string][]) {
  renderApp(bridge, '#/notifications');
  await screen.findByRole('heading', { name: 'Notifications' });
  await waitFor(() => expect(bridge.eventListenerCount).toBe(1));
  act(() => {
    for (const [id, text] of texts) bridge.emit(systemNotice(id, text));
  });
  await waitFor(() => expect(bridge.requestsTo('GET /api/notifications/marks')).toHaveLength(1));
}

describe('notifications read one by one', () => {
  it('shows what the server says was read one by one, whatever the read marker says', async () => {
    await inboxWith([21, 'Fire drill'], [22, 'Lunch menu'], [23, 'Parking']);
    await waitFor(() => expect(unreadOf('Lunch menu')).toBe(false));
    expect(unreadOf('Fire drill')).toBe(true);
    expect(unreadOf('Parking')).toBe(true);
    expect(screen.getByTestId('inbox-unread').textContent).toBe('2 unread');
  });

  it('opening a notification marks it read on the server; "Mark unread" makes it unread again', async () => {
    const user = userEvent.setup();
    await inboxWith([21, 'Fire drill']);
    await waitFor(() => expect(unreadOf('Fire drill')).toBe(true));

    await user.click(screen.getByText('Fire drill'));
    await waitFor(() => expect(unreadOf('Fire drill')).toBe(false));
    expect(
      bridge.requestsTo('POST /api/notifications/marks').map((request) => request.body),
    ).toEqual([{ eventIds: [21], read: true }]);
    expect(await screen.findByRole('heading', { name: 'System notice' })).toBeTruthy();

    const row = screen
      .getByText('Fire drill', { selector: '.inbox-item__text' })
      .closest('li') as HTMLElement;
    await user.click(within(row).getByRole('button', { name: /^Mark unread/ }));
    expect(unreadOf('Fire drill')).toBe(true);
    expect(bridge.requestsTo('POST /api/notifications/marks').at(-1)?.body).toEqual({
      eventIds: [21],
      read: false,
    });
  });

  it('follows marks made on another desk', async () => {
    await inboxWith([21, 'Fire drill'], [23, 'Parking']);
    act(() =>
      bridge.emit({
        id: 24,
        type: 'notifications_marked',
        event_ids: [23],
        read: true,
        timestamp: '2025-01-20T10:31:00Z',
      }),
    );
    expect(unreadOf('Parking')).toBe(false);
    expect(unreadOf('Fire drill')).toBe(true);
  });
});
