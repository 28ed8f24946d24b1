import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Conversation, MessageResponse } from '../../common/api.js';
import { startTestRedis, type TestRedis } from '../support/redis-server.js';
import {
  api,
  login,
  spawnServerProcess,
  startTestServer,
  type ServerProcess,
  type TestServer,
} from '../support/test-server.js';
import { launchChromium } from './support/chromium.js';
import {
  messagesWithText,
  openDesk,
  screenshot,
  waitForStatus,
  watchForElement,
  type Desk,
} from './support/pages.js';

/**
 * The web app in Debian's Chromium against the real server (a child process, as `npm run server`
 * runs it), a real redis-server and a real SQLite file. Dr. Smith (A) and Dr. Patel (B) sit at
 * two desks: two browser contexts with their own cookies.
 */
let redis: TestRedis;
let dataDir: string;
let server: ServerProcess;
let browser: Browser;
let smith: Desk;
let patel: Desk;
let smithApi: ReturnType<typeof api>;
let patelId: number;

/** Room for the long-history test's burst of messages; everything else as the test server sets it. */
const SERVER_ENV = { MESSAGE_RATE_LIMIT: '1000' };

async function conversationBetween(
  participantIds: number[],
  title?: string,
): Promise<Conversation> {
  const response = await smithApi.post<{ conversation: Conversation }>('/api/conversations', {
    participantIds,
    title,
  });
  expect(response.status).toBeLessThan(300);
  return response.body.conversation;
}

async function sendAsSmith(conversationId: number, text: string, via = smithApi) {
  const response = await via.post<MessageResponse>(
    `/api/conversations/${conversationId}/messages`,
    { text },
  );
  expect(response.status).toBe(201);
  return response.body.message;
}

beforeAll(async () => {
  redis = await startTestRedis();
  dataDir = mkdtempSync(join(tmpdir(), 'clinicpulse-e2e-'));
  [server, browser] = await Promise.all([
    spawnServerProcess({ redisUrl: redis.url, dataDir, env: SERVER_ENV }),
    launchChromium(),
  ]);
  const smithLogin = await login(server.url, 'dr.smith', 'clinicpulse');
  smithApi = api(server.url, smithLogin.token);
  patelId = (await login(server.url, 'dr.patel', 'clinicpulse')).user.id;
  [smith, patel] = await Promise.all([
    openDesk(browser, server.url, 'dr.smith'),
    openDesk(browser, server.url, 'dr.patel'),
  ]);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await redis?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('the web app', () => {
  it('is served with a Content-Security-Policy that allows no inline script', async () => {
    const response = await fetch(`${server.url}/`);
    const policy = response.headers.get('content-security-policy') ?? '';
    expect(policy).toMatch(/script-src 'self'(;|$)/);
    expect(await response.text()).not.toMatch(/<script>(?!<\/script>)/);
  });

  it('delivers a message from A to B live: in the open conversation and as an unread count in the list', async () => {
    // A starts a conversation with B through the UI.
    await smith.page.getByRole('button', { name: 'New conversation' }).click();
    const dialog = smith.page.getByRole('dialog', { name: 'New conversation' });
    await dialog.getByLabel('Dr. Raj Patel').check();
    await dialog.getByRole('button', { name: /Start conversation/ }).click();
    await smith.page.getByTestId('thread').waitFor();
    const conversationId = Number(
      await smith.page.getByTestId('thread').getAttribute('data-conversation-id'),
    );

    await smith.page.getByLabel(/Message to Dr. Raj Patel/).fill('Could you look at bed 4?');
    await smith.page.keyboard.press('Enter');
    await smith.page.getByTestId('thread').locator('.message__status--sent').first().waitFor();

    // B, who had the list open, sees the new conversation with one unread message.
    await waitForStatus(patel.page, 'connected');
    const patelItem = patel.page.locator(
      `[data-testid="conversation-item"][data-conversation-id="${conversationId}"]`,
    );
    await patelItem.getByTestId('unread-count').filter({ hasText: /^1$/ }).waitFor();
    expect(await patelItem.textContent()).toContain('Dr. Sarah Smith: Could you look at bed 4?');

    // B opens it; A's next message appears there without a reload.
    await patelItem.click();
    await messagesWithText(patel.page, 'Could you look at bed 4?').waitFor();
    await patelItem.getByTestId('unread-count').waitFor({ state: 'detached' });
    await sendAsSmith(conversationId, 'Thanks, it is urgent.');
    await messagesWithText(patel.page, 'Thanks, it is urgent.').waitFor();

    // Meanwhile a message in another of B's conversations counts as unread in the list.
    const group = await conversationBetween([patelId, 3], 'Ward 3 handover');
    await sendAsSmith(group.id, 'Handover at 7 in the staff room');
    const groupItem = patel.page.locator(
      `[data-testid="conversation-item"][data-conversation-id="${group.id}"]`,
    );
    await groupItem.getByTestId('unread-count').filter({ hasText: /^1$/ }).waitFor();
    await sendAsSmith(group.id, 'Bring the rota');
    await groupItem.getByTestId('unread-count').filter({ hasText: /^2$/ }).waitFor();

    // B answers with the keyboard: Shift+Enter for a new line, Enter to send.
    const composer = patel.page.getByLabel(/Message to Dr. Sarah Smith/);
    await composer.click();
    await patel.page.keyboard.type('On my way.');
    await patel.page.keyboard.press('Shift+Enter');
    await patel.page.keyboard.type('Five minutes.');
    await patel.page.keyboard.press('Enter');
    await messagesWithText(smith.page, 'On my way.\nFive minutes.').waitFor();

    await screenshot(patel.page, 'messages');
    expect(await messagesWithText(patel.page, 'Thanks, it is urgent.').count()).toBe(1);
  });

  it('shows a message written as HTML literally and runs nothing', async () => {
    const conversationId = Number(
      await patel.page.getByTestId('thread').getAttribute('data-conversation-id'),
    );
    const attack = '<img src=x onerror=alert(1)>';
    await sendAsSmith(conversationId, attack);
    await messagesWithText(patel.page, attack).waitFor();
    expect(await patel.page.getByTestId('thread').locator('img').count()).toBe(0);
    expect(patel.dialogs).toEqual([]);
    // The list's preview is text too.
    const item = patel.page.locator(
      `[data-testid="conversation-item"][data-conversation-id="${conversationId}"]`,
    );
    expect(await item.textContent()).toContain(attack);
    expect(await patel.page.locator('img').count()).toBe(0);
  });

  it('does not open a conversation B is not part of, even by its URL', async () => {
    const secret = await conversationBetween([3], 'Private: Smith and Jones');
    await sendAsSmith(secret.id, 'Confidential: patient in room 12');
    await patel.page.goto(`${server.url}/#/conversations/${secret.id}`);
    const alert = patel.page.getByTestId('thread').getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toBe(
      'This conversation does not exist, or you are not part of it.',
    );
    expect(await patel.page.content()).not.toContain('Confidential: patient in room 12');
    expect(await patel.page.content()).not.toContain('Private: Smith and Jones');
  });

  it('puts each test-panel event in the inbox, unread, and "mark all read" reaches every desk', async () => {
    // B at a second desk (another browser, the same account) watches the marks.
    const secondDesk = await openDesk(browser, server.url, 'dr.patel');
    try {
      // The Test panel is for admins (test/e2e/staff-experience.test.ts); the endpoints behind
      // it answer anyone signed in, as in the original system.
      const patelApi = api(server.url, (await login(server.url, 'dr.patel', 'clinicpulse')).token);
      for (const [path, body] of [
        ['new-message', { sender: 'Dr. Smith', text: 'Hello, how are you feeling?' }],
        ['appointment-reminder', { content: 'Annual checkup' }],
        ['system-notification', { content: 'Your profile is incomplete' }],
      ] as const)
        expect((await patelApi.post(`/api/test/${path}`, body)).status).toBe(200);

      await patel.page.getByRole('link', { name: /^Notifications/ }).click();
      const items = patel.page.getByTestId('inbox-item');
      for (const type of ['new_message', 'appointment_reminder', 'system_notification']) {
        await patel.page
          .locator(`[data-testid="inbox-item"][data-event-type="${type}"][data-unread="true"]`)
          .first()
          .waitFor();
      }
      const newestTypes = await items.evaluateAll((elements) =>
        elements.slice(0, 3).map((element) => element.getAttribute('data-event-type')),
      );
      expect(newestTypes).toEqual(['system_notification', 'appointment_reminder', 'new_message']);
      expect(await items.first().textContent()).toContain('Your profile is incomplete');
      await screenshot(patel.page, 'notifications');

      await secondDesk.page.goto(`${server.url}/#/notifications`);
      await secondDesk.page
        .locator('[data-testid="inbox-item"][data-unread="true"]')
        .first()
        .waitFor();

      await patel.page.getByRole('button', { name: 'Mark all read' }).click();
      await patel.page.getByTestId('inbox-unread').filter({ hasText: 'All read' }).waitFor();
      await secondDesk.page.getByTestId('inbox-unread').filter({ hasText: 'All read' }).waitFor();
      expect(
        await secondDesk.page.locator('[data-testid="inbox-item"][data-unread="true"]').count(),
      ).toBe(0);

      // Clicking a message notification opens its conversation.
      await patel.page
        .locator('[data-testid="inbox-item"][data-event-type="new_message"]')
        .filter({ hasText: 'Dr. Sarah Smith' })
        .first()
        .click();
      await patel.page.getByTestId('thread').waitFor();
      expect(patel.page.url()).toMatch(/#\/conversations\/\d+$/);
    } finally {
      await secondDesk.context.close();
    }
  });

  it('across a server restart shows "reconnecting", then every message sent meanwhile exactly once', async () => {
    const conversation = await conversationBetween([patelId], 'Restart drill');
    await patel.page.goto(`${server.url}/#/conversations/${conversation.id}`);
    await patel.page.getByTestId('thread').waitFor();
    await waitForStatus(patel.page, 'connected');

    // A second server process on the same database and Redis takes A's messages while B's is down.
    const standby: TestServer = await startTestServer({
      redisUrl: redis.url,
      dataDir,
      demoData: false,
      env: SERVER_ENV,
    });
    try {
      const { port } = server;
      await server.stop();
      await waitForStatus(patel.page, 'reconnecting');
      expect(await patel.page.getByTestId('connection-indicator').textContent()).toMatch(
        /Reconnecting/,
      );
      await screenshot(patel.page, 'reconnecting');

      const standbyApi = api(
        standby.url,
        (await login(standby.url, 'dr.smith', 'clinicpulse')).token,
      );
      const missed = [
        'Missed 1: lab results are in',
        'Missed 2: call pharmacy',
        'Missed 3: family waiting',
      ];
      for (const text of missed) await sendAsSmith(conversation.id, text, standbyApi);

      server = await spawnServerProcess({ redisUrl: redis.url, dataDir, port, env: SERVER_ENV });
      await waitForStatus(patel.page, 'connected');
      for (const text of missed) await messagesWithText(patel.page, text).waitFor();
      for (const text of missed) expect(await messagesWithText(patel.page, text).count()).toBe(1);

      // Live delivery continues on the new process.
      await sendAsSmith(conversation.id, 'Back to normal');
      await messagesWithText(patel.page, 'Back to normal').waitFor();
      expect(await patel.page.getByTestId('thread').locator('.message__text').count()).toBe(
        missed.length + 1,
      );
    } finally {
      await standby.close();
    }
  });

  it('keeps a long history light: only rows in view are rendered, older pages load on scrolling up', async () => {
    const conversation = await conversationBetween([patelId], 'Long history');
    const total = 130;
    for (let index = 1; index <= total; index++)
      await sendAsSmith(conversation.id, `History ${index}`);

    await patel.page.goto(`${server.url}/#/conversations/${conversation.id}`);
    await messagesWithText(patel.page, `History ${total}`).waitFor();
    const rendered = () => patel.page.getByTestId('thread').getByRole('listitem').count();
    expect(await rendered()).toBeLessThan(50);

    const scroller = patel.page.getByTestId('thread').locator('.thread__scroll');
    for (
      let page = 0;
      page < 6 && (await messagesWithText(patel.page, 'History 1').count()) === 0;
      page++
    ) {
      await scroller.evaluate((element) => element.scrollTo({ top: 0 }));
      // Older messages loaded above keep the reader's rows in place, which moves the scroll position down.
      await expect
        .poll(
          () =>
            scroller.evaluate(
              (element) =>
                element.scrollTop > 0 ||
                (element.textContent ?? '').includes('This is the start of the conversation'),
            ),
          { timeout: 15_000 },
        )
        .toBe(true);
    }
    await scroller.evaluate((element) => element.scrollTo({ top: 0 }));
    await messagesWithText(patel.page, 'History 1').waitFor();
    await patel.page.getByText('This is the start of the conversation.').waitFor();
    expect(await rendered()).toBeLessThan(50);
    await screenshot(patel.page, 'messages-history-top');
  });

  it('creates an appointment with the staff to remind', async () => {
    await smith.page.goto(`${server.url}/#/appointments`);
    const form = smith.page.getByRole('complementary');
    await form.getByLabel('What it is').fill('Annual checkup — Mr Brown');
    await form.getByLabel(/Dr. Raj Patel/).check();
    await form.getByLabel('Reminder').selectOption({ label: '30 minutes before' });
    await form.getByRole('button', { name: 'Create appointment' }).click();
    await form.getByRole('status').filter({ hasText: 'Appointment created' }).waitFor();
    const card = smith.page
      .getByTestId('appointment')
      .filter({ hasText: 'Annual checkup — Mr Brown' });
    await card.waitFor();
    expect(await card.textContent()).toMatch(
      /Reminder 30 minutes before .* to Dr\. Sarah Smith, Dr\. Raj Patel/,
    );

    // Dr. Patel is reminded of it, so it is on his list too.
    await patel.page.goto(`${server.url}/#/appointments`);
    await patel.page
      .getByTestId('appointment')
      .filter({ hasText: 'Annual checkup — Mr Brown' })
      .waitFor();
    await screenshot(smith.page, 'appointments');
  });

  it('keeps settings in the browser and offers only what applies there', async () => {
    await patel.page.goto(`${server.url}/#/settings`);
    await patel.page.getByLabel('Do not disturb').check();
    await patel.page.getByText('Saved.').waitFor();
    expect(await patel.page.getByText('Start at login').count()).toBe(0);
    await patel.page.reload();
    await patel.page.getByRole('heading', { name: 'Settings' }).waitFor();
    expect(await patel.page.getByLabel('Do not disturb').isChecked()).toBe(true);
    await screenshot(patel.page, 'settings');
  });

  it('looks right at the sign-in screen, in the dark theme and at 200 % zoom', async () => {
    const fresh = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const signInPage = await fresh.newPage();
    await signInPage.goto(`${server.url}/`);
    await signInPage.getByRole('button', { name: 'Sign in' }).waitFor();
    await screenshot(signInPage, 'sign-in');
    await fresh.close();

    const dark = await openDesk(browser, server.url, 'dr.patel', { colorScheme: 'dark' });
    await dark.page.goto(`${server.url}/#/conversations`);
    await dark.page.getByTestId('conversation-item').first().click();
    await dark.page.getByTestId('thread').locator('.message__text').first().waitFor();
    await screenshot(dark.page, 'messages-dark');
    await dark.context.close();

    // 200 % zoom of a 1280×800 window: half the CSS pixels, each drawn twice as large.
    const zoomed = await openDesk(browser, server.url, 'dr.patel', {
      viewport: { width: 640, height: 400 },
      deviceScaleFactor: 2,
    });
    await zoomed.page.goto(`${server.url}/#/conversations`);
    await zoomed.page.getByRole('button', { name: 'Not now' }).click();
    await zoomed.page.getByTestId('conversation-item').first().waitFor();
    await screenshot(zoomed.page, 'zoom200-conversations');
    await zoomed.page.getByTestId('conversation-item').first().click();
    await zoomed.page.getByTestId('thread').locator('.message__text').first().waitFor();
    // One column at this width: the thread replaces the list and offers the way back.
    expect(await zoomed.page.getByRole('link', { name: /Conversations/ }).isVisible()).toBe(true);
    await screenshot(zoomed.page, 'zoom200-thread');
    await zoomed.context.close();
  });

  it("keeps one user's two desks in step: a read on one clears the other's count, a send shows once on both", async () => {
    const jonesId = (await login(server.url, 'nurse.jones', 'clinicpulse')).user.id;
    const [deskA, deskB] = await Promise.all([
      openDesk(browser, server.url, 'nurse.jones'),
      openDesk(browser, server.url, 'nurse.jones'),
    ]);
    try {
      await Promise.all([
        waitForStatus(deskA.page, 'connected'),
        waitForStatus(deskB.page, 'connected'),
      ]);
      // Marks desk B's document: a reload would lose it.
      await deskB.page
        .locator('body')
        .evaluate((body) => body.setAttribute('data-not-reloaded', ''));
      const conversation = await conversationBetween([jonesId]);
      await sendAsSmith(conversation.id, 'Bed 9 needs you');
      const item = (desk: Desk) =>
        desk.page.locator(
          `[data-testid="conversation-item"][data-conversation-id="${conversation.id}"]`,
        );
      for (const desk of [deskA, deskB])
        await item(desk).getByTestId('unread-count').filter({ hasText: /^1$/ }).waitFor();
      const unreadNotifications = async (desk: Desk) => {
        const badge = desk.page.getByTestId('nav-unread');
        return (await badge.count()) === 0
          ? 0
          : Number.parseInt((await badge.textContent()) ?? '', 10);
      };
      await expect.poll(() => unreadNotifications(deskB)).toBeGreaterThan(0);
      const notificationsBefore = await unreadNotifications(deskB);

      // (a) Read on desk A: desk B's list shows it read, and its notification is read too.
      await item(deskA).click();
      await messagesWithText(deskA.page, 'Bed 9 needs you').waitFor();
      await item(deskB).getByTestId('unread-count').waitFor({ state: 'detached' });
      await expect.poll(() => unreadNotifications(deskB)).toBe(notificationsBefore - 1);

      // (b) Both desks have it open; desk A replies.
      await item(deskB).click();
      await messagesWithText(deskB.page, 'Bed 9 needs you').waitFor();
      const inboxBefore = await deskB.page.getByTestId('nav-unread').textContent();
      const countedUnread = await watchForElement(
        deskB.page,
        `[data-conversation-id="${conversation.id}"] [data-testid="unread-count"]`,
      );
      await deskA.page
        .getByTestId('thread')
        .getByLabel(/Message to/)
        .fill('On my way to bed 9');
      await deskA.page.keyboard.press('Enter');
      await deskA.page
        .getByTestId('thread')
        .locator('.message--own .message__status--sent')
        .first()
        .waitFor();
      await messagesWithText(deskB.page, 'On my way to bed 9').waitFor();
      expect(await messagesWithText(deskB.page, 'On my way to bed 9').count()).toBe(1);
      expect(await messagesWithText(deskA.page, 'On my way to bed 9').count()).toBe(1);
      expect(await item(deskB).textContent()).toContain('You: On my way to bed 9');
      expect(await countedUnread()).toBe(false);
      expect(await deskB.page.getByTestId('nav-unread').textContent()).toBe(inboxBefore);

      await deskB.page.getByRole('link', { name: /^Notifications/ }).click();
      const inbox = deskB.page.getByTestId('inbox-item');
      await inbox.filter({ hasText: 'Bed 9 needs you' }).first().waitFor();
      expect(await inbox.filter({ hasText: 'On my way to bed 9' }).count()).toBe(0);
      expect(await deskB.page.locator('body[data-not-reloaded]').count()).toBe(1);
      const problems = [...deskA.errors, ...deskB.errors].filter((error) =>
        /Content Security Policy|Uncaught|TypeError|ReferenceError/i.test(error),
      );
      expect(problems).toEqual([]);
    } finally {
      await Promise.all([deskA.context.close(), deskB.context.close()]);
    }
  });

  it('broke no Content-Security-Policy rule and threw no error on any page', () => {
    const problems = [...smith.errors, ...patel.errors].filter((error) =>
      /Content Security Policy|Uncaught|TypeError|ReferenceError/i.test(error),
    );
    expect(problems).toEqual([]);
  });
});
