import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertStatus } from '../../common/alerts.js';
import type { Conversation, Message } from '../../common/api.js';
import { startTestRedis, type TestRedis } from '../support/redis-server.js';
import { api, login, spawnServerProcess, type ServerProcess } from '../support/test-server.js';
import { launchChromium } from './support/chromium.js';
import {
  messagesWithText,
  openDesk,
  screenshot,
  waitForStatus,
  type Desk,
} from './support/pages.js';

/**
 * Clinical alerting in Debian's Chromium against the real server (a child process), Redis and
 * SQLite: Dr. Smith sends, Nurse Jones sits at two desks (two browser profiles, each a desk of
 * its own with its own name).
 */
let redis: TestRedis;
let dataDir: string;
let server: ServerProcess;
let browser: Browser;
let smith: Desk;
let wardPc: Desk;
let laptop: Desk;
let conversation: Conversation;

const TIME = /\d{1,2}:\d{2}/;

/** A browser profile that already carries a desk id and name, as a desk named in Settings would. */
async function openNamedDesk(username: string, desk: { id: string; name: string }): Promise<Desk> {
  const opened = await openDesk(browser, server.url, username);
  await opened.page.evaluate(
    `localStorage.setItem('clinicpulse.desk', ${JSON.stringify(JSON.stringify(desk))})`,
  );
  await opened.page.reload();
  await opened.page.getByTestId('signed-in-user').waitFor({ state: 'attached' });
  return opened;
}

function banner(page: Page, text: string) {
  return page.getByTestId('alert-banner').filter({ hasText: text });
}

/** The receipt line under Dr. Smith's message with this text. */
function receiptLine(text: string) {
  return messagesWithText(smith.page, text)
    .locator('xpath=ancestor::article')
    .getByTestId('receipt-line');
}

async function sendFromComposer(text: string, urgent: boolean): Promise<void> {
  if (urgent) await smith.page.getByRole('button', { name: 'Urgent', exact: true }).click();
  await smith.page.getByLabel(/Message to Nurse Ben Jones/).fill(text);
  await smith.page.keyboard.press('Enter');
  await messagesWithText(smith.page, text).waitFor();
}

beforeAll(async () => {
  redis = await startTestRedis();
  dataDir = mkdtempSync(join(tmpdir(), 'clinicpulse-e2e-alerting-'));
  [server, browser] = await Promise.all([
    spawnServerProcess({
      redisUrl: redis.url,
      dataDir,
      env: { ALERT_STATUS_COALESCE_MS: '100' },
    }),
    launchChromium(),
  ]);
  const smithApi = api(server.url, (await login(server.url, 'dr.smith', 'clinicpulse')).token);
  const jonesId = (await login(server.url, 'nurse.jones', 'clinicpulse')).user.id;
  conversation = (
    await smithApi.post<{ conversation: Conversation }>('/api/conversations', {
      participantIds: [jonesId],
    })
  ).body.conversation;
  [smith, wardPc, laptop] = await Promise.all([
    openDesk(browser, server.url, 'dr.smith'),
    openNamedDesk('nurse.jones', { id: 'desk-nurses-station-01', name: "Nurses' station PC" }),
    openNamedDesk('nurse.jones', { id: 'desk-ward-laptop-0002', name: 'Ward laptop' }),
  ]);
  await smith.page.goto(`${server.url}/#/conversations/${conversation.id}`);
  await smith.page.getByTestId('thread').waitFor();
  await Promise.all([smith, wardPc, laptop].map((desk) => waitForStatus(desk.page, 'connected')));
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await redis?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('clinical alerting in the browser', () => {
  it('raises an urgent banner on both desks; Acknowledge on one clears both; the sender sees delivered → shown → acknowledged', async () => {
    await sendFromComposer('URGENT: chest pain in room 3', true);
    // Marked urgent once the server confirmed it (before that it is still being sent).
    await smith.page
      .getByTestId('thread')
      .locator('article[data-priority="urgent"]')
      .filter({ hasText: 'URGENT: chest pain in room 3' })
      .waitFor();

    for (const desk of [wardPc, laptop]) {
      const raised = banner(desk.page, 'URGENT: chest pain in room 3');
      await raised.waitFor();
      expect(await raised.getAttribute('role')).toBe('alert');
      expect(await raised.textContent()).toContain('Urgent message from Dr. Sarah Smith');
    }

    const line = receiptLine('URGENT: chest pain in room 3');
    await line
      .getByTestId('receipt-summary')
      .filter({ hasText: /^Delivered · Shown on 2 desks/ })
      .waitFor();
    const desks = (await line.getByTestId('receipt-desk').allTextContents()).sort();
    expect(desks).toEqual([
      expect.stringMatching(/^Nurses' station PC: shown \d/),
      expect.stringMatching(/^Ward laptop: shown \d/),
    ]);
    await screenshot(smith.page, 'alerting-receipts');
    await screenshot(wardPc.page, 'alerting-urgent-banner');

    await banner(wardPc.page, 'URGENT: chest pain in room 3')
      .getByRole('button', { name: 'Acknowledge' })
      .click();
    await banner(wardPc.page, 'URGENT: chest pain in room 3').waitFor({ state: 'detached' });
    await banner(laptop.page, 'URGENT: chest pain in room 3').waitFor({ state: 'detached' });
    const acknowledged = line.locator('.receipt-line__ack');
    await acknowledged.filter({ hasText: /^Acknowledged .+ by Nurse Ben Jones$/ }).waitFor();
    expect(await acknowledged.textContent()).toMatch(TIME);
    await line
      .getByTestId('receipt-summary')
      .filter({ hasText: /Acknowledged \d/ })
      .waitFor();
  });

  it('with do-not-disturb on one desk: a routine message is held there, an urgent one shown over it', async () => {
    await laptop.page.goto(`${server.url}/#/settings`);
    // Settings follow the person to every desk; this desk keeps its own, so only it is quiet.
    await laptop.page.getByLabel(/Keep separate pop-up settings on this computer/).check();
    await laptop.page.getByLabel(/Do not disturb/).check();
    await laptop.page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();

    await sendFromComposer('Lunch at 12:30?', false);
    const routine = receiptLine('Lunch at 12:30?');
    await routine
      .getByTestId('receipt-desk')
      .filter({ hasText: /^Ward laptop: held .+: do not disturb$/ })
      .waitFor();
    await routine
      .getByTestId('receipt-desk')
      .filter({ hasText: /^Nurses' station PC: shown / })
      .waitFor();
    await banner(wardPc.page, 'Lunch at 12:30?').waitFor();
    expect(await banner(laptop.page, 'Lunch at 12:30?').count()).toBe(0);

    await sendFromComposer('URGENT: fall in bay 4', true);
    const urgent = receiptLine('URGENT: fall in bay 4');
    await urgent
      .getByTestId('receipt-desk')
      .filter({ hasText: /^Ward laptop: shown .+ \(over do-not-disturb\)$/ })
      .waitFor();
    await banner(laptop.page, 'URGENT: fall in bay 4').waitFor();
    await screenshot(smith.page, 'alerting-do-not-disturb');
  });

  it('acknowledges from the thread too, and the banner on the other desk goes', async () => {
    await wardPc.page.goto(`${server.url}/#/conversations/${conversation.id}`);
    const message = messagesWithText(wardPc.page, 'URGENT: fall in bay 4').locator(
      'xpath=ancestor::article',
    );
    await message.getByRole('button', { name: 'Acknowledge' }).click();
    await message
      .getByTestId('acknowledged')
      .filter({ hasText: /^Acknowledged .+ by Nurse Ben Jones$/ })
      .waitFor();
    await banner(laptop.page, 'URGENT: fall in bay 4').waitFor({ state: 'detached' });
    await receiptLine('URGENT: fall in bay 4')
      .locator('.receipt-line__ack')
      .filter({ hasText: /by Nurse Ben Jones/ })
      .waitFor();
  });

  it('lets an admin audit it all: filter, one alert in detail, and a CSV export', async () => {
    const admin = await openDesk(browser, server.url, 'admin');
    try {
      await admin.page.goto(`${server.url}/#/admin/audit`);
      const table = admin.page.getByTestId('audit-table');
      await table.getByRole('link', { name: 'URGENT: chest pain in room 3' }).waitFor();
      await admin.page.getByLabel('Priority').selectOption('urgent');
      await admin.page.getByRole('button', { name: 'Filter' }).click();
      await table.getByRole('link', { name: 'Lunch at 12:30?' }).waitFor({ state: 'detached' });
      expect(await table.locator('tbody tr').count()).toBe(2);
      await screenshot(admin.page, 'alerting-audit');

      const download = admin.page.waitForEvent('download');
      await admin.page.getByRole('button', { name: 'Export CSV' }).click();
      const file = await download;
      expect(file.suggestedFilename()).toMatch(/^clinicpulse-delivery-audit-.+\.csv$/);

      await table.getByRole('link', { name: 'URGENT: chest pain in room 3' }).click();
      const log = admin.page.getByTestId('audit-log');
      await log.getByText(/Nurse Ben Jones: acknowledged on Nurses' station PC$/).waitFor();
      expect(await log.getByText(/Nurse Ben Jones: shown on Ward laptop$/).count()).toBe(1);
    } finally {
      await admin.context.close();
    }
  });

  it('lets an admin change how urgent alerts repeat, and keeps it', async () => {
    const admin = await openDesk(browser, server.url, 'admin');
    try {
      await admin.page.goto(`${server.url}/#/admin/alerting`);
      const repeats = admin.page.getByLabel('Repeats before escalating');
      await expect.poll(() => repeats.inputValue()).toBe('3');
      await repeats.fill('2');
      await admin.page.getByRole('button', { name: 'Save' }).click();
      await admin.page
        .getByRole('status')
        .filter({ hasText: /^Saved\./ })
        .waitFor();
      await admin.page.reload();
      await expect
        .poll(() => admin.page.getByLabel('Repeats before escalating').inputValue())
        .toBe('2');
    } finally {
      await admin.context.close();
    }
  });

  it("reports an urgent alert's receipts at once while the server asks its desks to wait; routine ones wait", async () => {
    const smithApi = api(server.url, (await login(server.url, 'dr.smith', 'clinicpulse')).token);
    const busy = await openNamedDesk('nurse.jones', { id: 'desk-busy-ward-pc-03', name: 'Busy ward PC' });
    // Each answer asks for a minute's pause: how a server with thousands of desks reporting
    // answers (receipt-pacing.ts); this one has three.
    let reports = 0;
    await busy.page.route('**/api/alerts/receipts', async (route) => {
      reports += 1;
      const response = await route.fetch();
      const answer = (await response.json()) as Record<string, unknown>;
      await route.fulfill({ response, json: { ...answer, nextReportInMs: 60_000 } });
    });
    await waitForStatus(busy.page, 'connected');
    const send = async (text: string, priority: 'routine' | 'urgent') =>
      (
        await smithApi.post<{ message: Message }>(`/api/conversations/${conversation.id}/messages`, {
          text,
          priority,
        })
      ).body.message;
    const onBusyDesk = async (message: Message) => {
      const status = (await smithApi.get<{ alert: AlertStatus }>(`/api/alerts/${message.alertId}`)).body.alert;
      return status.recipients[0]?.desks.some((desk) => desk.deskId === 'desk-busy-ward-pc-03') ?? false;
    };

    // The desk's first report (this message's receipt) is answered with the pause.
    await send('Obs due in bay 2', 'routine');
    await expect.poll(() => reports).toBeGreaterThan(0);
    const routine = await send('Bloods back for bay 4', 'routine');
    await banner(busy.page, 'Bloods back for bay 4').waitFor();
    await busy.page.waitForTimeout(1_500);
    expect(await onBusyDesk(routine)).toBe(false);

    const urgent = await send('URGENT: fall in bay 6', 'urgent');
    await expect.poll(() => onBusyDesk(urgent)).toBe(true);
    // The routine receipt that waited went with it.
    expect(await onBusyDesk(routine)).toBe(true);
    await busy.context.close();
  });
});
