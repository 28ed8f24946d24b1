import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Conversation } from '../../common/api.js';
import { startTestRedis, type TestRedis } from '../support/redis-server.js';
import { api, login, spawnServerProcess, type ServerProcess } from '../support/test-server.js';
import { axeViolations } from './support/axe.js';
import { launchChromium } from './support/chromium.js';
import { openDesk, screenshot, waitForStatus, type Desk } from './support/pages.js';

/**
 * axe-core on every screen of the web app, in the light and the dark theme: any violation of
 * WCAG 2.1 A/AA or axe's best practices fails the test, listed by rule and element.
 */
let redis: TestRedis;
let dataDir: string;
let server: ServerProcess;
let browser: Browser;
let conversation: Conversation;

interface Screen {
  name: string;
  user: string;
  /** Brings the page to the screen and waits until it shows. */
  show(page: Page): Promise<void>;
}

const SCREENS: Screen[] = [
  {
    name: 'messages',
    user: 'dr.patel',
    show: async (page) => {
      await page.goto(`${server.url}/#/conversations`);
      await page.getByTestId('conversation-item').first().waitFor();
    },
  },
  {
    name: 'thread',
    user: 'dr.patel',
    show: async (page) => {
      await page.goto(`${server.url}/#/conversations/${conversation.id}`);
      await page.getByTestId('thread').locator('.message__text').first().waitFor();
    },
  },
  {
    name: 'new-conversation',
    user: 'dr.patel',
    show: async (page) => {
      await page.goto(`${server.url}/#/conversations`);
      await page.getByRole('button', { name: 'New conversation' }).click();
      await page
        .getByRole('dialog', { name: 'New conversation' })
        .getByLabel('Dr. Sarah Smith')
        .waitFor();
    },
  },
  {
    name: 'notifications',
    user: 'dr.patel',
    show: async (page) => {
      await page.goto(`${server.url}/#/notifications`);
      await page.getByTestId('inbox-item').first().waitFor();
    },
  },
  {
    name: 'appointments',
    user: 'dr.patel',
    show: async (page) => {
      await page.goto(`${server.url}/#/appointments`);
      await page.getByTestId('appointment').first().waitFor();
    },
  },
  {
    name: 'settings',
    user: 'dr.patel',
    show: async (page) => {
      await page.goto(`${server.url}/#/settings`);
      await page.getByRole('heading', { name: 'Settings' }).waitFor();
      await page.getByText('Privacy of pop-ups').waitFor();
    },
  },
  {
    name: 'admin-staff',
    user: 'admin',
    show: async (page) => {
      await page.goto(`${server.url}/#/admin/staff`);
      await page.getByTestId('account').first().waitFor();
    },
  },
  {
    name: 'admin-edit-account',
    user: 'admin',
    show: async (page) => {
      await page.goto(`${server.url}/#/admin/staff`);
      await page.getByRole('button', { name: 'Edit Dr. Raj Patel' }).click();
      await page.getByRole('dialog', { name: 'Edit Dr. Raj Patel' }).waitFor();
    },
  },
  {
    name: 'admin-notices',
    user: 'admin',
    show: async (page) => {
      await page.goto(`${server.url}/#/admin/notices`);
      await page.getByTestId('sent-notice').first().waitFor();
    },
  },
  {
    name: 'admin-health',
    user: 'admin',
    show: async (page) => {
      await page.goto(`${server.url}/#/admin/health`);
      await page.getByTestId('health-summary').waitFor();
    },
  },
  {
    name: 'admin-alerting',
    user: 'admin',
    show: async (page) => {
      await page.goto(`${server.url}/#/admin/alerting`);
      await page.getByLabel('Repeats before escalating').waitFor();
      await page.getByRole('heading', { name: 'On duty now' }).waitFor();
    },
  },
  {
    name: 'admin-audit',
    user: 'admin',
    show: async (page) => {
      await page.goto(`${server.url}/#/admin/audit`);
      await page.getByTestId('audit-table').waitFor();
    },
  },
  {
    name: 'admin-audit-alert',
    user: 'admin',
    show: async (page) => {
      await page.goto(`${server.url}/#/admin/audit`);
      await page.getByTestId('audit-table').getByRole('link', { name: 'Bed 4 is bleeding' }).click();
      await page.getByTestId('audit-log').waitFor();
    },
  },
  {
    name: 'test-panel',
    user: 'admin',
    show: async (page) => {
      await page.goto(`${server.url}/#/test`);
      await page.getByRole('heading', { name: 'Notification test' }).waitFor();
    },
  },
];

beforeAll(async () => {
  redis = await startTestRedis();
  dataDir = mkdtempSync(join(tmpdir(), 'clinicpulse-e2e-axe-'));
  [server, browser] = await Promise.all([
    spawnServerProcess({ redisUrl: redis.url, dataDir }),
    launchChromium(),
  ]);
  const smith = api(server.url, (await login(server.url, 'dr.smith', 'clinicpulse')).token);
  const admin = api(server.url, (await login(server.url, 'admin', 'clinicpulse')).token);
  const patelId = (await login(server.url, 'dr.patel', 'clinicpulse')).user.id;
  conversation = (
    await smith.post<{ conversation: Conversation }>('/api/conversations', {
      participantIds: [patelId, 3],
      title: 'Ward 3 handover',
    })
  ).body.conversation;
  for (const text of ['Handover at 7 in the staff room', 'Bring the rota, please'])
    await smith.post(`/api/conversations/${conversation.id}/messages`, { text });
  // An urgent one: its receipt line and Acknowledge are on the thread screens too.
  await smith.post(`/api/conversations/${conversation.id}/messages`, {
    text: 'Bed 4 is bleeding',
    priority: 'urgent',
  });
  await smith.post('/api/appointments', {
    time: new Date(Date.now() + 3 * 3_600_000).toISOString(),
    content: 'Annual checkup',
    remindUserIds: [patelId],
    reminderLeadMinutes: 30,
  });
  await admin.post('/api/admin/system-notifications', { content: 'Fire drill at 14:00' });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await redis?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe.each(['light', 'dark'] as const)('every screen in the %s theme', (colorScheme) => {
  it('has no axe-core violation on the sign-in page', async () => {
    const context = await browser.newContext({ colorScheme });
    try {
      const page = await context.newPage();
      await page.goto(`${server.url}/`);
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
      expect(await axeViolations(page)).toEqual([]);
      // After a failed sign-in the error is shown and announced.
      await page.getByLabel('Username').fill('dr.patel');
      await page.getByLabel('Password').fill('wrong password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('alert').waitFor();
      expect(await axeViolations(page)).toEqual([]);
    } finally {
      await context.close();
    }
  });

  // One signed-in desk per user in this theme, taken from screen to screen as staff would: a
  // fresh sign-in for each screen cost CI more than the checks themselves.
  const desks = new Map<string, Promise<Desk>>();
  const deskOf = (user: string) => {
    let desk = desks.get(user);
    if (!desk) {
      desk = openDesk(browser, server.url, user, { colorScheme });
      desks.set(user, desk);
    }
    return desk;
  };
  afterAll(async () => {
    for (const desk of desks.values()) await (await desk).context.close();
  });

  for (const screenUnderTest of SCREENS) {
    it(`has no axe-core violation on ${screenUnderTest.name}`, async () => {
      const { page } = await deskOf(screenUnderTest.user);
      await waitForStatus(page, 'connected');
      await screenUnderTest.show(page);
      await screenshot(page, `axe-${colorScheme}-${screenUnderTest.name}`);
      expect(await axeViolations(page)).toEqual([]);
    });
  }
});
