import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { DEMO_PASSWORD } from '../../support/test-server.js';

export const SCREENSHOT_DIR = join(
  import.meta.dirname,
  '..',
  '..',
  '..',
  'test-results',
  'screenshots',
);

export interface Desk {
  context: BrowserContext;
  page: Page;
  /** Dialogs (alert, confirm) the page opened: a script injected through user text would show here. */
  dialogs: string[];
  /** Errors the page threw or logged (CSP violations among them). */
  errors: string[];
  /** How often leaving or reloading the page asked first ("unsent messages"); each was accepted. */
  leavePrompts: number;
}

/** A staff member at their own desk: a browser context of their own, signed in through the UI. */
export async function openDesk(
  browser: Browser,
  serverUrl: string,
  username: string,
  options: BrowserContextOptions = {},
): Promise<Desk> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
  const page = await context.newPage();
  const dialogs: string[] = [];
  const errors: string[] = [];
  const desk = { context, page, dialogs, errors, leavePrompts: 0 };
  page.on('dialog', (dialog) => {
    if (dialog.type() === 'beforeunload') {
      desk.leavePrompts++;
      void dialog.accept();
      return;
    }
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.setDefaultTimeout(20_000);
  await page.goto(`${serverUrl}/`);
  await signIn(page, username);
  return desk;
}

export async function signIn(page: Page, username: string): Promise<void> {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  // Attached rather than visible: narrow windows hide the name in the top bar.
  await page.getByTestId('signed-in-user').waitFor({ state: 'attached' });
}

export function indicator(page: Page) {
  return page.getByTestId('connection-indicator');
}

export async function waitForStatus(page: Page, status: string): Promise<void> {
  await page.locator(`[data-testid="connection-indicator"][data-status="${status}"]`).waitFor();
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`) });
}

/** The thread's message rows whose text is exactly `text`. */
export function messagesWithText(page: Page, text: string) {
  return page
    .getByTestId('thread')
    .locator('.message__text')
    .filter({ hasText: new RegExp(`^${escapeRegExp(text)}$`) });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

let watches = 0;

/**
 * Starts watching the page for an element matching `selector`; the function returned says
 * whether one was ever there, however briefly. Something shown and taken away again between two
 * looks (an unread count the open thread clears at once) would otherwise go unseen.
 */
export async function watchForElement(
  page: Page,
  selector: string,
): Promise<() => Promise<boolean>> {
  const mark = `data-watch-${++watches}`;
  await page.locator('body').evaluate(
    (body, [wanted, seen]) => {
      const look = () => {
        if (body.querySelector(wanted)) body.setAttribute(seen, '');
      };
      look();
      new body.ownerDocument.defaultView.MutationObserver(look).observe(body, {
        childList: true,
        subtree: true,
      });
    },
    [selector, mark] as const,
  );
  return async () => (await page.locator(`body[${mark}]`).count()) > 0;
}
