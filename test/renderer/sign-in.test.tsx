import { cleanup, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeDesktopBridge, json } from './support/fake-desktop-bridge.js';
import { renderApp } from './support/render-app.js';

afterEach(cleanup);

describe('signing in to the desktop app', () => {
  it('asks for the server address (remembered from last time) and shows why a sign-in failed', async () => {
    const user = userEvent.setup();
    const bridge = new FakeDesktopBridge(null);
    bridge.on('GET /api/conversations', () => json({ conversations: [] }));
    let attempts = 0;
    bridge.signInHandler = async () => {
      if (attempts++ === 0) {
        throw new Error(
          "Error invoking remote method 'clinicpulse:sign-in': Error: Cannot reach http://clinic.test: ECONNREFUSED",
        );
      }
    };
    renderApp(bridge, '#/conversations');

    const server = await screen.findByLabelText('Clinic server address');
    expect(server).toHaveProperty('value', 'http://clinic.test');
    await user.type(screen.getByLabelText('Username'), 'dr.smith');
    await user.type(screen.getByLabelText('Password'), 'clinicpulse');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect((await screen.findByRole('alert')).textContent).toBe(
      'Cannot reach http://clinic.test: ECONNREFUSED',
    );

    await user.type(screen.getByLabelText('Password'), 'clinicpulse{Enter}');
    expect((await screen.findByTestId('signed-in-user')).textContent).toBe('Dr. Sarah Smith');
    expect(bridge.signIns.at(-1)).toEqual({
      serverUrl: 'http://clinic.test',
      username: 'dr.smith',
      password: 'clinicpulse',
    });
  });

  it('returns to the sign-in screen when the server says the session is gone', async () => {
    const bridge = new FakeDesktopBridge();
    bridge.on('GET /api/conversations', () =>
      json({ error: { code: 'unauthorized', message: 'sign in first' } }, 401),
    );
    renderApp(bridge, '#/conversations');
    expect(await screen.findByText('Your session has ended. Please sign in again.')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Sign in' })).toBeTruthy();
  });
});
