import { mkdtempSync, rmSync } from 'node:fs';
import { get, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Conversation } from '../../common/api.js';
import { startTestRedis, type TestRedis } from '../support/redis-server.js';
import { api, login, spawnServerProcess, type ServerProcess } from '../support/test-server.js';
import { axeViolations } from './support/axe.js';
import { launchChromium } from './support/chromium.js';
import {
  messagesWithText,
  openDesk,
  screenshot,
  waitForStatus,
  type Desk,
} from './support/pages.js';

/**
 * Staff and IT at work in Chromium against the real server (a child process), a real
 * redis-server and a real SQLite file: messages that wait for the network, prompt reconnects.
 */
let redis: TestRedis;
let dataDir: string;
let server: ServerProcess;
let browser: Browser;
let smithApi: ReturnType<typeof api>;
let patelId: number;

/** Room for the search test's burst of messages from one person; the rest as the test server sets it. */
const SERVER_ENV = { MESSAGE_RATE_LIMIT: '1000' };

async function conversationWithPatel(title: string): Promise<Conversation> {
  const response = await smithApi.post<{ conversation: Conversation }>('/api/conversations', {
    participantIds: [patelId],
    title,
  });
  expect(response.status).toBe(201);
  return response.body.conversation;
}

function problemsOf(desk: Desk): string[] {
  return desk.errors.filter((error) =>
    /Content Security Policy|Uncaught|TypeError|ReferenceError/i.test(error),
  );
}

beforeAll(async () => {
  redis = await startTestRedis();
  dataDir = mkdtempSync(join(tmpdir(), 'clinicpulse-e2e-staff-'));
  [server, browser] = await Promise.all([
    spawnServerProcess({ redisUrl: redis.url, dataDir, env: SERVER_ENV }),
    launchChromium(),
  ]);
  smithApi = api(server.url, (await login(server.url, 'dr.smith', 'clinicpulse')).token);
  patelId = (await login(server.url, 'dr.patel', 'clinicpulse')).user.id;
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await redis?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('the web app as built', () => {
  it('sends its script precompressed with brotli and caches it as immutable; the page itself is revalidated', async () => {
    const page = await fetch(`${server.url}/`);
    expect(page.headers.get('cache-control')).toBe('no-cache');
    const script = /src="\.\/(assets\/index-[^"]+\.js)"/.exec(await page.text())?.[1];
    expect(script).toBeDefined();
    const response = await new Promise<IncomingMessage>((resolve, reject) =>
      get(`${server.url}/${script}`, { headers: { 'accept-encoding': 'gzip, br' } }, resolve).on(
        'error',
        reject,
      ),
    );
    response.resume();
    expect(response.headers['content-encoding']).toBe('br');
    expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });
});

describe('messages written without a connection', () => {
  it('are queued, kept across a reload, and sent in order, once each, as soon as the server answers', async () => {
    const conversation = await conversationWithPatel('Queued sends');
    const [smith, patel] = await Promise.all([
      openDesk(browser, server.url, 'dr.smith'),
      openDesk(browser, server.url, 'dr.patel'),
    ]);
    try {
      await smith.page.goto(`${server.url}/#/conversations/${conversation.id}`);
      await patel.page.goto(`${server.url}/#/conversations/${conversation.id}`);
      await Promise.all([
        waitForStatus(smith.page, 'connected'),
        waitForStatus(patel.page, 'connected'),
      ]);

      await smith.context.setOffline(true);
      await waitForStatus(smith.page, 'offline');
      const composer = smith.page.getByTestId('thread').getByLabel(/Message to/);
      for (const text of ['Queued 1: bed 4 drip', 'Queued 2: then bed 5']) {
        await composer.fill(text);
        await smith.page.keyboard.press('Enter');
      }
      const queued = smith.page.getByTestId('thread').locator('[data-status="queued"]');
      await expect.poll(() => queued.count()).toBe(2);
      await screenshot(smith.page, 'queued-messages');
      expect(await axeViolations(smith.page)).toEqual([]);

      // Back on the network, but the server still refuses to take messages: they stay queued,
      // also across a reload of the page.
      await smith.page.route('**/api/conversations/*/messages', (route) =>
        route.request().method() === 'POST' ? route.abort('connectionrefused') : route.fallback(),
      );
      await smith.context.setOffline(false);
      await waitForStatus(smith.page, 'connected');
      await smith.page.reload();
      expect(smith.leavePrompts).toBe(1);
      await smith.page.getByTestId('thread').waitFor();
      await expect.poll(() => queued.count()).toBe(2);
      expect(await messagesWithText(patel.page, 'Queued 1: bed 4 drip').count()).toBe(0);

      await smith.page.unrouteAll();
      await messagesWithText(patel.page, 'Queued 2: then bed 5').waitFor();
      const texts = await patel.page
        .getByTestId('thread')
        .locator('.message__text')
        .allTextContents();
      expect(texts.filter((text) => text.startsWith('Queued'))).toEqual([
        'Queued 1: bed 4 drip',
        'Queued 2: then bed 5',
      ]);
      await expect.poll(() => queued.count()).toBe(0);
      for (const text of ['Queued 1: bed 4 drip', 'Queued 2: then bed 5'])
        expect(await messagesWithText(smith.page, text).count()).toBe(1);
      const stored = await smithApi.get<{ messages: { text: string }[] }>(
        `/api/conversations/${conversation.id}/messages`,
      );
      expect(stored.body.messages.map((message) => message.text)).toEqual([
        'Queued 1: bed 4 drip',
        'Queued 2: then bed 5',
      ]);
      expect([...problemsOf(smith), ...problemsOf(patel)]).toEqual([]);
    } finally {
      await Promise.all([smith.context.close(), patel.context.close()]);
    }
  });
});

describe('a desk across a server restart', () => {
  it('shows an outage banner after a few seconds, probes /healthz, and reconnects on the first answer', async () => {
    const patel = await openDesk(browser, server.url, 'dr.patel');
    try {
      await waitForStatus(patel.page, 'connected');
      let probesWhileDown = 0;
      let probesAnswered = 0;
      let streamsAfterReturn = 0;
      let serverBack = false;
      patel.page.on('request', (request) => {
        const path = new URL(request.url()).pathname;
        if (path === '/healthz' && !serverBack) probesWhileDown++;
        if (path === '/api/events/stream' && serverBack) streamsAfterReturn++;
      });
      patel.page.on('response', (response) => {
        if (new URL(response.url()).pathname === '/healthz' && response.status() === 200)
          probesAnswered++;
      });

      const { port } = server;
      await server.stop();
      const banner = patel.page.getByTestId('outage-banner');
      await banner.waitFor();
      expect(await banner.textContent()).toMatch(/No connection to the clinic server since/);
      await screenshot(patel.page, 'outage-banner');
      expect(await axeViolations(patel.page)).toEqual([]);
      // While the server is away the page asks the cheap /healthz, not the stream or the API
      // (on a busy machine the banner can come before the third probe).
      await expect.poll(() => probesWhileDown, { timeout: 15_000 }).toBeGreaterThan(2);

      serverBack = true;
      server = await spawnServerProcess({ redisUrl: redis.url, dataDir, port, env: SERVER_ENV });
      await waitForStatus(patel.page, 'connected');
      await banner.waitFor({ state: 'detached' });
      // It learned the server was back from a probe and opened one stream, which held.
      expect(probesAnswered).toBeGreaterThan(0);
      expect(streamsAfterReturn).toBe(1);
      expect(problemsOf(patel)).toEqual([]);
    } finally {
      await patel.context.close();
      // The tests after this one need the server, whatever failed above.
      if (!(await fetch(`${server.url}/healthz`).then(() => true, () => false)))
        server = await spawnServerProcess({ redisUrl: redis.url, dataDir, port: server.port, env: SERVER_ENV });
    }
  });
});

describe('the admin console', () => {
  it("lets an admin create an account and disable it, and the person's open page signs out", async () => {
    const admin = await openDesk(browser, server.url, 'admin');
    try {
      await admin.page.getByRole('link', { name: 'Administration' }).click();
      await admin.page.getByRole('heading', { name: 'Staff accounts' }).waitFor();
      const form = admin.page.getByRole('form', { name: 'New account' });
      await form.getByLabel('Full name').fill('Nurse Kim Park');
      await form.getByLabel('Username').fill('nurse.kim');
      await form.getByLabel('Role').selectOption({ label: 'Nurse' });
      await form.getByLabel(/First password/).fill('clinicpulse');
      await form.getByRole('button', { name: 'Create account' }).click();
      await form.getByRole('status').filter({ hasText: 'can now sign in as nurse.kim' }).waitFor();
      const row = admin.page.locator('[data-testid="account"][data-username="nurse.kim"]');
      expect(await row.textContent()).toContain('Never');

      const kim = await openDesk(browser, server.url, 'nurse.kim');
      try {
        await waitForStatus(kim.page, 'connected');
        await admin.page.reload();
        // Her first sign-in shows as a time instead of "Never".
        await row.locator('time').waitFor();
        expect(await row.textContent()).not.toContain('Never');
        await screenshot(admin.page, 'admin-staff-accounts');

        await row.getByRole('button', { name: 'Disable Nurse Kim Park' }).click();
        await admin.page
          .getByText('Nurse Kim Park is disabled and signed out everywhere.')
          .waitFor();
        await kim.page.getByRole('button', { name: 'Sign in' }).waitFor();
        expect(await kim.page.getByRole('status').allTextContents()).toContain(
          'Your session has ended. Please sign in again.',
        );
      } finally {
        await kim.context.close();
      }
    } finally {
      await admin.context.close();
    }
  });

  it('sends a system notice to one role, lists it with how many it reached, and reports server health in words', async () => {
    const admin = await openDesk(browser, server.url, 'admin');
    const jones = await openDesk(browser, server.url, 'nurse.jones');
    try {
      await admin.page.goto(`${server.url}/#/admin/notices`);
      const form = admin.page.getByRole('form', { name: 'New system notice' });
      await form.getByLabel('Notice').fill('Fire drill at 14:00 — nurses meet at the east stairs');
      await form.getByLabel('One role').check();
      await form.getByRole('combobox', { name: /^Role/ }).selectOption({ label: 'Nurse' });
      await form.getByRole('button', { name: 'Send notice' }).click();
      await form
        .getByRole('status')
        .filter({ hasText: /Sent to \d+ (person|people)/ })
        .waitFor();
      const sent = admin.page.getByTestId('sent-notice').first();
      await sent.getByText('Fire drill at 14:00 — nurses meet at the east stairs').waitFor();
      expect(await sent.textContent()).toMatch(
        /To All Nurse staff · reached \d+ (person|people) · sent by Clinic IT Admin/,
      );
      await screenshot(admin.page, 'admin-system-notices');

      await jones.page.goto(`${server.url}/#/notifications`);
      await jones.page
        .getByTestId('inbox-item')
        .filter({ hasText: 'Fire drill at 14:00' })
        .waitFor();

      await admin.page.getByRole('link', { name: 'Server health' }).click();
      await admin.page.getByTestId('health-summary').filter({ hasText: 'Ready' }).waitFor();
      expect(await admin.page.locator('.health-list').textContent()).toMatch(/Redis\s*Answering/);
      await screenshot(admin.page, 'admin-server-health');

      await admin.page.getByRole('link', { name: 'Test panel' }).click();
      await admin.page.getByRole('heading', { name: 'Notification test' }).waitFor();
      await screenshot(admin.page, 'test-panel');
      expect(await jones.page.getByRole('link', { name: 'Test panel' }).count()).toBe(0);
      expect(await jones.page.getByRole('link', { name: 'Administration' }).count()).toBe(0);
      expect([...problemsOf(admin), ...problemsOf(jones)]).toEqual([]);
    } finally {
      await Promise.all([admin.context.close(), jones.context.close()]);
    }
  });
});

describe('notifications read one by one', () => {
  it('opening one on a desk reads it on every desk of the person; "Mark unread" undoes it everywhere', async () => {
    const jones = await login(server.url, 'nurse.jones', 'clinicpulse');
    const jonesApi = api(server.url, jones.token);
    const [deskA, deskB] = await Promise.all([
      openDesk(browser, server.url, 'nurse.jones'),
      openDesk(browser, server.url, 'nurse.jones'),
    ]);
    try {
      for (const desk of [deskA, deskB]) await desk.page.goto(`${server.url}/#/notifications`);
      await Promise.all([
        waitForStatus(deskA.page, 'connected'),
        waitForStatus(deskB.page, 'connected'),
      ]);
      for (const content of ['Ward 2 fire door is stuck open', 'Canteen closes early today'])
        expect((await jonesApi.post('/api/test/system-notification', { content })).status).toBe(
          200,
        );
      const item = (desk: Desk, text: string) =>
        desk.page.getByTestId('inbox-item').filter({ hasText: text });
      for (const desk of [deskA, deskB])
        await item(desk, 'Canteen closes early today')
          .and(desk.page.locator('[data-unread="true"]'))
          .waitFor();

      await item(deskA, 'Ward 2 fire door is stuck open').click();
      await deskA.page.getByRole('heading', { name: 'System notice' }).waitFor();
      await item(deskB, 'Ward 2 fire door is stuck open')
        .and(deskB.page.locator('[data-unread="false"]'))
        .waitFor();
      // The other one stays unread.
      expect(await item(deskB, 'Canteen closes early today').getAttribute('data-unread')).toBe(
        'true',
      );
      await screenshot(deskB.page, 'notifications-read-one-by-one');

      await deskB.page
        .getByRole('button', { name: /^Mark unread: System notice/ })
        .first()
        .click();
      await item(deskA, 'Ward 2 fire door is stuck open')
        .and(deskA.page.locator('[data-unread="true"]'))
        .waitFor();
      expect(await axeViolations(deskB.page)).toEqual([]);
      expect([...problemsOf(deskA), ...problemsOf(deskB)]).toEqual([]);
    } finally {
      await Promise.all([deskA.context.close(), deskB.context.close()]);
    }
  });
});

describe('at 200 % zoom of a 1366×768 screen, and with the keyboard', () => {
  const ZOOMED = { viewport: { width: 683, height: 384 }, deviceScaleFactor: 2 };

  it('keeps focus on the password after a failed sign-in', async () => {
    const context = await browser.newContext(ZOOMED);
    try {
      const page = await context.newPage();
      await page.goto(`${server.url}/`);
      await page.getByLabel('Username').fill('dr.patel');
      await page.getByLabel('Password').fill('not the password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('alert').waitFor();
      await expect.poll(() => page.locator('input[name="password"]:focus').count()).toBe(1);
    } finally {
      await context.close();
    }
  });

  it("shows the composer without scrolling, the dialog's Start button too, and takes focus to a picked conversation", async () => {
    const conversation = await conversationWithPatel('Zoomed handover');
    await smithApi.post(`/api/conversations/${conversation.id}/messages`, {
      text: 'Bed 2 is ready',
    });
    const patel = await openDesk(browser, server.url, 'dr.patel', ZOOMED);
    try {
      await patel.page.getByRole('button', { name: 'Not now' }).click();
      const inView = async (locator: ReturnType<typeof patel.page.locator>) => {
        const box = await locator.boundingBox();
        return box !== null && box.y >= 0 && box.y + box.height <= ZOOMED.viewport.height;
      };

      await patel.page.getByRole('button', { name: 'New conversation' }).click();
      const start = patel.page
        .getByRole('dialog')
        .getByRole('button', { name: /Start conversation/ });
      await start.waitFor();
      expect(await inView(start)).toBe(true);
      await screenshot(patel.page, 'zoom200-new-conversation');
      await patel.page.keyboard.press('Escape');

      const item = patel.page.locator(
        `[data-testid="conversation-item"][data-conversation-id="${conversation.id}"]`,
      );
      await item.focus();
      await patel.page.keyboard.press('Enter');
      await patel.page.getByTestId('thread').locator('.message__text').first().waitFor();
      await expect.poll(() => patel.page.locator('.thread__title:focus').count()).toBe(1);
      const composer = patel.page.getByTestId('thread').getByLabel(/Message to/);
      expect(await inView(composer)).toBe(true);
      expect(
        await inView(patel.page.getByTestId('thread').getByRole('button', { name: 'Send' })),
      ).toBe(true);
      await screenshot(patel.page, 'zoom200-thread-composer');
      expect(await axeViolations(patel.page)).toEqual([]);
    } finally {
      await patel.context.close();
    }
  });
});

describe('settings that follow the person', () => {
  it('go with a nurse to a second desk, and a change on one desk reaches the other', async () => {
    const first = await openDesk(browser, server.url, 'frontdesk.lee');
    try {
      await first.page.goto(`${server.url}/#/settings`);
      await first.page.getByLabel(/^Do not disturb/).check();
      await first.page.getByText('Saved.').waitFor();
      await first.page.getByTestId('dnd-indicator').waitFor();

      // Another computer: a browser of its own, nothing in its storage.
      const second = await openDesk(browser, server.url, 'frontdesk.lee');
      try {
        await second.page.goto(`${server.url}/#/settings`);
        await expect.poll(() => second.page.getByLabel(/^Do not disturb/).isChecked()).toBe(true);
        await second.page.getByTestId('dnd-indicator').waitFor();
        await screenshot(second.page, 'settings-follow-the-person');

        await second.page.getByLabel(/^Nothing identifying/).check();
        await expect
          .poll(() => first.page.getByLabel(/^Nothing identifying/).isChecked())
          .toBe(true);
        expect(await axeViolations(second.page)).toEqual([]);
      } finally {
        await second.context.close();
      }
    } finally {
      await first.context.close();
    }
  });
});

describe('search', () => {
  it('finds a message in one of my conversations and opens it in its thread, older pages loaded to reach it', async () => {
    const conversation = await conversationWithPatel('Search drill');
    await smithApi.post(`/api/conversations/${conversation.id}/messages`, {
      text: 'The hyperkalaemia protocol is pinned in the staff room',
    });
    // Enough newer messages that the found one is not on the first page.
    for (let index = 1; index <= 60; index++)
      await smithApi.post(`/api/conversations/${conversation.id}/messages`, {
        text: `Later note ${index}`,
      });
    const patel = await openDesk(browser, server.url, 'dr.patel');
    try {
      await patel.page
        .getByRole('searchbox', { name: 'Search messages' })
        .fill('hyperkal protocol');
      const result = patel.page.getByTestId('search-result').first();
      await result.waitFor();
      expect(await result.textContent()).toContain('Search drill');
      expect(await result.locator('mark').allTextContents()).toEqual(['hyperkalaemia', 'protocol']);
      await screenshot(patel.page, 'search-results');
      expect(await axeViolations(patel.page)).toEqual([]);

      await result.click();
      const found = patel.page.getByTestId('thread').locator('.message--found');
      await found.waitFor();
      expect(await found.textContent()).toContain(
        'The hyperkalaemia protocol is pinned in the staff room',
      );
      await screenshot(patel.page, 'search-opened-message');
      expect(problemsOf(patel)).toEqual([]);
    } finally {
      await patel.context.close();
    }
  });
});

describe('conversation management', () => {
  it('someone removed from a conversation sees it go, and receives nothing sent after', async () => {
    const jonesId = (await login(server.url, 'nurse.jones', 'clinicpulse')).user.id;
    const created = await smithApi.post<{ conversation: Conversation }>('/api/conversations', {
      participantIds: [patelId, jonesId],
      title: 'Bay 2 team',
    });
    const id = created.body.conversation.id;
    expect(
      (await smithApi.post(`/api/conversations/${id}/messages`, { text: 'Bay 2 briefing at 8' }))
        .status,
    ).toBe(201);
    const [smith, jones, patel] = await Promise.all([
      openDesk(browser, server.url, 'dr.smith'),
      openDesk(browser, server.url, 'nurse.jones'),
      openDesk(browser, server.url, 'dr.patel'),
    ]);
    try {
      for (const desk of [smith, jones, patel]) {
        await desk.page.goto(`${server.url}/#/conversations/${id}`);
        await messagesWithText(desk.page, 'Bay 2 briefing at 8').waitFor();
      }
      await smith.page.getByRole('button', { name: 'Conversation settings' }).click();
      const dialog = smith.page.getByRole('dialog', { name: 'Conversation settings' });
      await screenshot(smith.page, 'conversation-settings');
      expect(await axeViolations(smith.page)).toEqual([]);
      await dialog.getByRole('button', { name: 'Remove Nurse Ben Jones' }).click();
      await dialog
        .getByRole('status')
        .filter({ hasText: 'Nurse Ben Jones was removed.' })
        .waitFor();
      expect(await dialog.getByTestId('participant').allTextContents()).not.toContainEqual(
        expect.stringContaining('Nurse Ben Jones'),
      );
      await dialog.getByRole('button', { name: 'Close' }).click();

      await jones.page.getByText('You are no longer in this conversation.').waitFor();
      await jones.page
        .locator(`[data-testid="conversation-item"][data-conversation-id="${id}"]`)
        .waitFor({ state: 'detached' });

      await smith.page
        .getByTestId('thread')
        .getByLabel(/Message to/)
        .fill('Only for who is still here');
      await smith.page.keyboard.press('Enter');
      await messagesWithText(patel.page, 'Only for who is still here').waitFor();
      expect(await jones.page.getByText('Only for who is still here').count()).toBe(0);
      expect(await jones.page.content()).not.toContain('Only for who is still here');
      expect([...problemsOf(smith), ...problemsOf(jones), ...problemsOf(patel)]).toEqual([]);
    } finally {
      await Promise.all([smith.context.close(), jones.context.close(), patel.context.close()]);
    }
  });
});

describe('changing a message', () => {
  it('an edit, a 👍 and a deletion reach the other desk as they happen', async () => {
    const conversation = await conversationWithPatel('Edits drill');
    const [smith, patel] = await Promise.all([
      openDesk(browser, server.url, 'dr.smith'),
      openDesk(browser, server.url, 'dr.patel'),
    ]);
    try {
      for (const desk of [smith, patel]) {
        await desk.page.goto(`${server.url}/#/conversations/${conversation.id}`);
        await desk.page.getByTestId('thread').waitFor();
      }
      await smith.page
        .getByTestId('thread')
        .getByLabel(/Message to/)
        .fill('Drip rate 100 ml/h');
      await smith.page.keyboard.press('Enter');
      await messagesWithText(patel.page, 'Drip rate 100 ml/h').waitFor();

      const own = smith.page.getByTestId('thread').locator('.message--own').last();
      await own.getByRole('button', { name: 'Edit' }).click();
      await own.getByLabel('Edit your message').fill('Drip rate 80 ml/h');
      await own.getByRole('button', { name: 'Save' }).click();
      await messagesWithText(patel.page, 'Drip rate 80 ml/h').waitFor();
      const theirs = patel.page.getByTestId('thread').locator('.message').last();
      expect(await theirs.textContent()).toContain('edited');

      await theirs.getByRole('button', { name: /^Thumbs up/ }).click();
      await own.getByRole('button', { name: /^Thumbs up\s*1$/ }).waitFor();
      await screenshot(smith.page, 'message-acknowledged');
      expect(await axeViolations(smith.page)).toEqual([]);

      await own.getByRole('button', { name: 'Delete' }).click();
      await patel.page.getByTestId('thread').getByText('Message deleted').waitFor();
      await patel.page
        .locator(`[data-testid="conversation-item"][data-conversation-id="${conversation.id}"]`)
        .getByText('Dr. Sarah Smith: Message deleted')
        .waitFor();
      expect(await patel.page.getByTestId('thread').getByText('Drip rate 80 ml/h').count()).toBe(0);
      expect([...problemsOf(smith), ...problemsOf(patel)]).toEqual([]);
    } finally {
      await Promise.all([smith.context.close(), patel.context.close()]);
    }
  });
});

describe('replying', () => {
  it('a reply shows the message it answers, quoted, on both desks', async () => {
    const conversation = await conversationWithPatel('Replies drill');
    await smithApi.post(`/api/conversations/${conversation.id}/messages`, {
      text: 'Who covers bay 3 tonight?',
    });
    const [smith, patel] = await Promise.all([
      openDesk(browser, server.url, 'dr.smith'),
      openDesk(browser, server.url, 'dr.patel'),
    ]);
    try {
      for (const desk of [smith, patel]) {
        await desk.page.goto(`${server.url}/#/conversations/${conversation.id}`);
        await messagesWithText(desk.page, 'Who covers bay 3 tonight?').waitFor();
      }
      const question = patel.page
        .getByTestId('thread')
        .locator('.message')
        .filter({ hasText: 'Who covers bay 3 tonight?' });
      await question.getByRole('button', { name: 'Reply' }).click();
      await patel.page.getByTestId('replying-to').waitFor();
      await patel.page
        .getByTestId('thread')
        .getByLabel(/Message to/)
        .fill('I do, until 7');
      await patel.page.keyboard.press('Enter');
      const answer = smith.page
        .getByTestId('thread')
        .locator('.message')
        .filter({ hasText: 'I do, until 7' });
      await answer.waitFor();
      expect(await answer.locator('.message__quote').textContent()).toContain(
        'Who covers bay 3 tonight?',
      );
      expect(await patel.page.getByTestId('replying-to').count()).toBe(0);
      await screenshot(smith.page, 'message-reply');
      expect(await axeViolations(smith.page)).toEqual([]);
      expect([...problemsOf(smith), ...problemsOf(patel)]).toEqual([]);
    } finally {
      await Promise.all([smith.context.close(), patel.context.close()]);
    }
  });
});
