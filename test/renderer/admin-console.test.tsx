import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import type { AdminUser, ServerHealthResponse, User } from '../../common/api.js';
import { healthInWords } from '../../renderer/src/admin/health-words.js';
import { FakeDesktopBridge, json, ME } from './support/fake-desktop-bridge.js';
import { renderApp } from './support/render-app.js';

afterEach(cleanup);

const ADMIN: User = { id: 5, username: 'admin', displayName: 'Clinic IT Admin', role: 'admin' };

function health(fields: Partial<ServerHealthResponse> = {}): ServerHealthResponse {
  return {
    ready: true,
    checks: { redis: 'ok', database: 'ok', events: 'ok' },
    figures: {
      openStreams: 12,
      eventsPublished: 340,
      eventsDelivered: 320,
      eventsReplayed: 20,
      resyncs: 0,
      slowClientsClosed: 0,
      streamsRejected: 0,
      outboxPending: 0,
      uptimeSeconds: 7_500,
      residentMemoryBytes: 90 * 1_048_576,
    },
    testEndpoints: true,
    checkedAt: '2025-01-20T10:30:00Z',
    ...fields,
  };
}

function accountOf(user: User, fields: Partial<AdminUser> = {}): AdminUser {
  return {
    ...user,
    disabled: false,
    createdAt: '2025-01-01T00:00:00Z',
    lastSignInAt: null,
    ...fields,
  };
}

function desk(user: User, serverHealth = health()) {
  return new FakeDesktopBridge(user)
    .on('GET /api/conversations', () => json({ conversations: [] }))
    .on('GET /api/admin/health', () =>
      user.role === 'admin'
        ? json(serverHealth)
        : json({ error: { code: 'forbidden', message: 'this needs the admin role' } }, 403),
    );
}

const navLinks = () =>
  within(screen.getByRole('navigation', { name: 'Main' }))
    .getAllByRole('link')
    .map((link) => link.textContent);

describe('the admin console', () => {
  it('offers Administration and the Test panel to admins only, and the Test panel only while test endpoints are on', async () => {
    renderApp(desk(ADMIN), '#/conversations');
    await waitFor(() => expect(navLinks()).toContain('Test panel'));
    expect(navLinks()).toContain('Administration');
    cleanup();

    renderApp(desk(ADMIN, health({ testEndpoints: false })), '#/conversations');
    await waitFor(() => expect(navLinks()).toContain('Administration'));
    await screen.findByRole('heading', { name: 'Messages' });
    expect(navLinks()).not.toContain('Test panel');
    cleanup();

    renderApp(desk(ME), '#/test');
    await screen.findByRole('heading', { name: 'Page not found' });
    expect(navLinks()).not.toContain('Test panel');
    expect(navLinks()).not.toContain('Administration');
  });

  it('disables an account from the list and says what that did', async () => {
    const user = userEvent.setup();
    const bridge = desk(ADMIN)
      .on('GET /api/admin/users', () =>
        json({
          users: [accountOf(ADMIN, { lastSignInAt: '2025-01-20T08:00:00Z' }), accountOf(ME)],
        }),
      )
      .on(`PATCH /api/admin/users/${ME.id}`, (request) =>
        json({ user: accountOf(ME, request.body as Partial<AdminUser>) }),
      );
    renderApp(bridge, '#/admin/staff');
    const row = (await screen.findAllByTestId('account')).find(
      (element) => element.dataset.username === ME.username,
    );
    expect(row?.textContent).toContain('Never');
    await user.click(
      within(row as HTMLElement).getByRole('button', { name: `Disable ${ME.displayName}` }),
    );
    expect(
      await screen.findByText(`${ME.displayName} is disabled and signed out everywhere.`),
    ).toBeTruthy();
    expect(bridge.requestsTo(`PATCH /api/admin/users/${ME.id}`)[0]?.body).toEqual({
      disabled: true,
    });
    expect(within(row as HTMLElement).getByText('Disabled')).toBeTruthy();
  });
});

describe('server health in words', () => {
  it('says what is wrong and what it means when Redis does not answer', () => {
    const lines = healthInWords(
      health({
        ready: false,
        checks: { redis: 'no answer within 1000 ms', database: 'ok', events: 'the Redis subscriber is not ready' },
        figures: { ...health().figures, outboxPending: 3 },
      }),
    );
    const byLabel = new Map(lines.map((line) => [line.label, line]));
    expect(byLabel.get('Redis')).toMatchObject({ problem: true });
    expect(byLabel.get('Redis')?.text).toMatch(
      /Not answering \(no answer within 1000 ms\)\. Live delivery has stopped/,
    );
    expect(byLabel.get('Waiting notifications')?.text).toBe(
      '3 notifications wait for Redis to take them.',
    );
    expect(byLabel.get('Desks connected')?.text).toBe(
      '12 event streams are open on this server process.',
    );
    expect(byLabel.get('This server process')?.text).toBe(
      'Running for 2 h 5 min, using 90 MB of memory.',
    );
  });
});
