import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Conversation } from '../../common/api.js';
import { startTestRedis, type TestRedis } from '../support/redis-server.js';
import { api, login, spawnServerProcess, type ServerProcess } from '../support/test-server.js';
import { axeViolations } from './support/axe.js';
import { launchChromium } from './support/chromium.js';
import { openDesk, screenshot, waitForStatus, type Desk } from './support/pages.js';

/** Two colleagues in Chromium against the real server (a child process) and a real Redis. */
let redis: TestRedis;
let dataDir: string;
let server: ServerProcess;
let browser: Browser;

beforeAll(async () => {
  redis = await startTestRedis();
  dataDir = mkdtempSync(join(tmpdir(), 'clinicpulse-e2e-presence-'));
  [server, browser] = await Promise.all([
    spawnServerProcess({ redisUrl: redis.url, dataDir }),
    launchChromium(),
  ]);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await redis?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

function problemsOf(desk: Desk): string[] {
  return desk.errors.filter((error) =>
    /Content Security Policy|Uncaught|TypeError|ReferenceError/i.test(error),
  );
}

describe('presence between two desks', () => {
  it('a doctor goes busy and her colleague sees it in the conversation header and the colleague picker, without a reload', async () => {
    const smith = await login(server.url, 'dr.smith', 'clinicpulse');
    const patelId = (await login(server.url, 'dr.patel', 'clinicpulse')).user.id;
    const created = await api(server.url, smith.token).post<{ conversation: Conversation }>(
      '/api/conversations',
      { participantIds: [patelId], title: 'Presence check' },
    );
    expect(created.status).toBe(201);
    const conversationId = created.body.conversation.id;

    const smithDesk = await openDesk(browser, server.url, 'dr.smith');
    const patelDesk = await openDesk(browser, server.url, 'dr.patel');
    try {
      await Promise.all([
        waitForStatus(smithDesk.page, 'connected'),
        waitForStatus(patelDesk.page, 'connected'),
      ]);
      const patel = patelDesk.page;
      await patel.goto(`${server.url}/#/conversations/${conversationId}`);
      const headerStatus = patel
        .locator(`[data-testid="participant-presence"][data-user-id="${smith.user.id}"]`)
        .getByTestId('presence');
      // Her page is open and in use: available.
      await expect.poll(() => headerStatus.getAttribute('data-status')).toBe('available');

      await smithDesk.page.getByLabel('Your status').selectOption('busy');
      // Patel's page hears it from the server, live.
      await expect.poll(() => headerStatus.getAttribute('data-status')).toBe('busy');
      expect(await headerStatus.textContent()).toBe('Busy');

      await patel.getByRole('button', { name: 'New conversation' }).click();
      const dialog = patel.getByRole('dialog', { name: 'New conversation' });
      const smithInPicker = dialog.locator('.picker__option', { hasText: 'Dr. Sarah Smith' });
      expect(await smithInPicker.getByTestId('presence').textContent()).toBe('Busy');
      await screenshot(patel, 'presence-picker-busy');
      expect(await axeViolations(patel)).toEqual([]);
      await patel.emulateMedia({ colorScheme: 'dark' });
      expect(await axeViolations(patel)).toEqual([]);
      await patel.keyboard.press('Escape');
      await screenshot(patel, 'presence-header-busy-dark');
      await patel.emulateMedia({ colorScheme: 'light' });

      // Available again, and her own desk shows her choice.
      await smithDesk.page.getByLabel('Your status').selectOption('available');
      await expect.poll(() => headerStatus.getAttribute('data-status')).toBe('available');
      await screenshot(smithDesk.page, 'presence-own-choice');
      expect(await axeViolations(smithDesk.page)).toEqual([]);
      expect([...problemsOf(smithDesk), ...problemsOf(patelDesk)]).toEqual([]);
    } finally {
      await Promise.all([smithDesk.context.close(), patelDesk.context.close()]);
    }
  });
});
