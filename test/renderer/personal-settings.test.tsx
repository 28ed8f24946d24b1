import { act, cleanup, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import type { PersonalSettings } from '../../common/api.js';
import { DEFAULT_DESKTOP_SETTINGS } from '../../common/desktop-bridge.js';
import { FakeDesktopBridge, json } from './support/fake-desktop-bridge.js';
import { renderApp } from './support/render-app.js';

afterEach(() => {
  cleanup();
  localStorage.clear();
});

const theirs: PersonalSettings = {
  previewLevel: 'count_only',
  doNotDisturb: true,
  doNotDisturbUntil: null,
  quietHours: { enabled: true, start: '21:00', end: '06:30' },
  sound: false,
};

function desk(personal: PersonalSettings | null) {
  return new FakeDesktopBridge()
    .on('GET /api/me/settings', () => json({ settings: personal }))
    .on('PATCH /api/me/settings', (request) =>
      json({ settings: { ...(personal ?? theirs), ...(request.body as object) } }),
    );
}

describe('settings that follow the person', () => {
  it("take the person's settings at a desk they sign in at, and write them where the desktop app's pop-ups read them", async () => {
    const bridge = desk(theirs);
    renderApp(bridge, '#/settings');
    await waitFor(() =>
      expect(screen.getByLabelText(/^Do not disturb/)).toHaveProperty('checked', true),
    );
    expect(bridge.settings).toMatchObject({
      previewLevel: 'count_only',
      sound: false,
      doNotDisturb: true,
    });
    // The computer's own settings stay this computer's.
    expect(bridge.settings.closeToTray).toBe(DEFAULT_DESKTOP_SETTINGS.closeToTray);
  });

  it('send a change made here to the server (only what follows the person), and follow a change made elsewhere', async () => {
    const user = userEvent.setup();
    const bridge = desk(null);
    renderApp(bridge, '#/settings');
    // The first desk a person uses gives them its settings.
    await waitFor(() => expect(bridge.requestsTo('PATCH /api/me/settings')).toHaveLength(1));
    await user.click(await screen.findByLabelText(/^Sound/));
    await waitFor(() => expect(bridge.requestsTo('PATCH /api/me/settings')).toHaveLength(2));
    expect(bridge.requestsTo('PATCH /api/me/settings')[1]?.body).toEqual({ sound: false });
    await user.click(screen.getByLabelText(/^Start at login/));
    expect(bridge.requestsTo('PATCH /api/me/settings')).toHaveLength(2);

    act(() =>
      bridge.emit({
        id: 60,
        type: 'settings_changed',
        settings: theirs,
        timestamp: '2025-01-20T10:00:00Z',
      }),
    );
    await waitFor(() =>
      expect(screen.getByLabelText(/^Do not disturb/)).toHaveProperty('checked', true),
    );
  });

  it('leave a desk that keeps its own settings alone', async () => {
    const user = userEvent.setup();
    const bridge = desk(null);
    renderApp(bridge, '#/settings');
    await user.click(
      await screen.findByLabelText(/^Keep separate pop-up settings/),
    );
    const before = bridge.requestsTo('PATCH /api/me/settings').length;
    await user.click(screen.getByLabelText(/^Sound/));
    act(() =>
      bridge.emit({
        id: 61,
        type: 'settings_changed',
        settings: theirs,
        timestamp: '2025-01-20T10:00:00Z',
      }),
    );
    expect(bridge.requestsTo('PATCH /api/me/settings')).toHaveLength(before);
    expect(screen.getByLabelText(/^Do not disturb/)).toHaveProperty('checked', false);
  });
});
