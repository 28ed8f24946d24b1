import { cleanup, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeDesktopBridge } from './support/fake-desktop-bridge.js';
import { renderApp } from './support/render-app.js';

afterEach(cleanup);

describe('settings in the desktop app', () => {
  it('hands every change to the main process, including the desktop-only ones', async () => {
    const user = userEvent.setup();
    const bridge = new FakeDesktopBridge();
    renderApp(bridge, '#/settings');

    await user.click(await screen.findByLabelText(/Nothing identifying/));
    await user.click(screen.getByLabelText(/Do not disturb/));
    await user.click(screen.getByLabelText(/Start at login/));
    await user.click(screen.getByLabelText(/Keep running when the window is closed/));
    await user.click(screen.getByLabelText(/Quiet hours/));

    expect(bridge.settings).toMatchObject({
      previewLevel: 'count_only',
      doNotDisturb: true,
      startAtLogin: true,
      closeToTray: false,
      quietHours: { enabled: true, start: '22:00', end: '07:00' },
    });
    expect(screen.queryByText('Browser pop-ups')).toBeNull();
  });
});
