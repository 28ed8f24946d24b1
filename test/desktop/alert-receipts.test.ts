import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AlertStatus, ReportedReceipt } from '../../common/alerts.js';
import type { Conversation, Message } from '../../common/api.js';
import { AcknowledgeLinks } from '../../main/notify/acknowledge-links.js';
import { parseLink } from '../../main/notify/notification-link.js';
import { openNotificationLink } from '../../main/notify/open-notification-link.js';
import type { HttpFetch } from '../../main/stream/http-fetch.js';
import { startTestRedis, type TestRedis } from '../support/redis-server.js';
import {
  api,
  DEMO_PASSWORD,
  login,
  startTestServer,
  type TestServer,
} from '../support/test-server.js';
import { openDesk, waitUntil, type Desk } from './support/desk.js';

/**
 * The desktop main process's receipts, under Node against the real server, Redis and SQLite:
 * Nurse Jones's desk is a UserSession with a recording sink (the stand-in for the OS's
 * notification daemon, which records each pop-up and says it was shown).
 */
let redis: TestRedis;
let server: TestServer;
let smith: ReturnType<typeof api>;
let jones: { id: number; token: string; client: ReturnType<typeof api> };
let conversation: Conversation;
let dataDirectory: string;
let desk: Desk | null = null;
/** Every receipt the desk reported, over all its runs. */
let reported: ReportedReceipt[];

const WARD_PC = { id: 'desk-ward-pc-main-0001', name: "Nurses' station PC" };

/** Node's fetch, noting each receipt report the desk makes. */
const countingFetch: HttpFetch = async (url, init) => {
  if (url.endsWith('/api/alerts/receipts') && typeof init.body === 'string')
    reported.push(...(JSON.parse(init.body) as { receipts: ReportedReceipt[] }).receipts);
  return fetch(url, init);
};

async function startDesk(): Promise<Desk> {
  desk = await openDesk({
    serverUrl: server.url,
    token: jones.token,
    userId: jones.id,
    dataDirectory,
    fetch: countingFetch,
    desk: WARD_PC,
  });
  await waitUntil(
    () => desk!.events.some((event) => event.type === 'ready'),
    'the stream to be ready',
  );
  return desk;
}

async function send(text: string, priority: 'routine' | 'urgent' = 'routine'): Promise<Message> {
  const response = await smith.post<{ message: Message }>(
    `/api/conversations/${conversation.id}/messages`,
    { text, priority },
  );
  expect(response.status).toBe(201);
  return response.body.message;
}

const deskStatus = async (alertId: number) => {
  const status = (await smith.get<{ alert: AlertStatus }>(`/api/alerts/${alertId}`)).body.alert;
  return status.recipients[0]?.desks.find((entry) => entry.deskId === WARD_PC.id) ?? null;
};

const reportsOf = (alertId: number) =>
  reported.filter((receipt) => receipt.alertId === alertId).map((receipt) => receipt.state);

beforeAll(async () => {
  redis = await startTestRedis();
  server = await startTestServer({
    redisUrl: redis.url,
    env: { MESSAGE_RATE_LIMIT: '1000', ALERT_SCHEDULER_INTERVAL_MS: '50' },
  });
  smith = api(server.url, (await login(server.url, 'dr.smith', DEMO_PASSWORD)).token);
  const jonesLogin = await login(server.url, 'nurse.jones', DEMO_PASSWORD);
  jones = {
    id: jonesLogin.user.id,
    token: jonesLogin.token,
    client: api(server.url, jonesLogin.token),
  };
  conversation = (
    await smith.post<{ conversation: Conversation }>('/api/conversations', {
      participantIds: [jones.id],
      title: 'Bay 2',
    })
  ).body.conversation;
});
beforeEach(() => {
  dataDirectory = mkdtempSync(join(tmpdir(), 'clinicpulse-desk-receipts-'));
  reported = [];
});
afterEach(async () => {
  await desk?.session.stop();
  desk = null;
  rmSync(dataDirectory, { recursive: true, force: true });
});
afterAll(async () => {
  await server?.close();
  await redis?.stop();
});

describe('receipts from the desktop app', () => {
  it('reports shown, held with its reason, and shown over do-not-disturb, once per event, also across a restart', async () => {
    const first = await startDesk();
    const routine = await send('BP 128/82');
    await waitUntil(
      () => reportsOf(routine.alertId!).includes('shown'),
      'the routine pop-up to be reported',
    );
    await expect.poll(() => deskStatus(routine.alertId!)).toMatchObject({
      deskName: "Nurses' station PC",
      shownAt: expect.any(String),
      heldAt: null,
    });

    first.settings.doNotDisturb = true;
    const held = await send('Lunch?');
    const urgent = await send('URGENT: chest pain', 'urgent');
    await waitUntil(
      () =>
        reportsOf(held.alertId!).includes('held') && reportsOf(urgent.alertId!).includes('shown'),
      'the held and the urgent receipts',
    );
    await expect.poll(() => deskStatus(held.alertId!)).toMatchObject({
      shownAt: null,
      heldReason: 'do_not_disturb',
    });
    await expect.poll(() => deskStatus(urgent.alertId!)).toMatchObject({
      shownAt: expect.any(String),
      overDoNotDisturb: true,
    });
    first.settings.doNotDisturb = false;

    // Closed; a message comes meanwhile; the app starts again on the same data folder.
    await first.session.stop();
    const whileClosed = await send('Handover at 7');
    const second = await startDesk();
    await waitUntil(
      () => reportsOf(whileClosed.alertId!).includes('shown'),
      'the message sent while closed to be reported',
    );
    await waitUntil(() => second.sink.shown.length === 1, 'its pop-up');

    // Every state went to the server once; the restart reported nothing again.
    expect(reportsOf(routine.alertId!)).toEqual(['shown']);
    expect(reportsOf(held.alertId!)).toEqual(['held']);
    expect(reportsOf(urgent.alertId!)).toEqual(['shown']);
    expect(reportsOf(whileClosed.alertId!)).toEqual(['shown']);
    expect(reported.find((receipt) => receipt.alertId === urgent.alertId)).toMatchObject({
      overDoNotDisturb: true,
    });
  });

  it('keeps the urgent pop-up on screen with Acknowledge, and acknowledges as this desk', async () => {
    const running = await startDesk();
    const urgent = await send('URGENT: fall in bay 4', 'urgent');
    await waitUntil(() => running.sink.shown.length === 1, 'the urgent pop-up');
    expect(running.sink.shown[0]).toMatchObject({
      urgency: 'critical',
      persistent: true,
      acknowledgeAlertId: urgent.alertId,
    });

    running.sink.acknowledge(0);
    await waitUntil(
      () => !running.sink.onScreen(0),
      'the pop-up to close once the acknowledgement comes back',
    );
    const status = (await smith.get<{ alert: AlertStatus }>(`/api/alerts/${urgent.alertId}`)).body
      .alert;
    expect(status.acknowledged).toMatchObject({
      displayName: 'Nurse Ben Jones',
      deskName: "Nurses' station PC",
    });
  });

  it("acknowledges from a Windows toast's Acknowledge link; a link it did not sign, or one the server refuses, only brings the window forward", async () => {
    const running = await startDesk();
    const urgent = await send('URGENT: bleeding in bay 2', 'urgent');
    await waitUntil(() => running.sink.shown.length === 1, 'the urgent pop-up');
    const otherInstallation = mkdtempSync(join(tmpdir(), 'clinicpulse-other-desk-'));
    const forger = await AcknowledgeLinks.load(otherInstallation);
    rmSync(otherInstallation, { recursive: true, force: true });
    const links = await AcknowledgeLinks.load(dataDirectory);
    const happened: string[] = [];
    const follow = (link: string) =>
      openNotificationLink(parseLink(link)!, {
        open: (target) => happened.push(`open ${target.kind}`),
        showWindow: () => happened.push('window'),
        acknowledge: (alertId) => running.session.acknowledge(alertId),
        acknowledgeLinks: links,
        log: () => undefined,
      });
    const acknowledged = async () =>
      (await smith.get<{ alert: AlertStatus }>(`/api/alerts/${urgent.alertId}`)).body.alert
        .acknowledged;

    await follow(forger.linkFor(urgent.alertId!));
    expect(happened).toEqual(['window']);
    expect(await acknowledged()).toBeNull();
    expect(running.sink.onScreen(0)).toBe(true);

    await follow(links.linkFor(999_999));
    expect(happened).toEqual(['window', 'window']);

    await follow(links.linkFor(urgent.alertId!));
    expect(happened).toEqual(['window', 'window']);
    expect(await acknowledged()).toMatchObject({
      displayName: 'Nurse Ben Jones',
      deskName: "Nurses' station PC",
    });
    await waitUntil(() => !running.sink.onScreen(0), 'the pop-up to close');
  });

  it('closes the urgent pop-up when it is acknowledged on another desk', async () => {
    const running = await startDesk();
    const urgent = await send('URGENT: bay 5', 'urgent');
    await waitUntil(() => running.sink.shown.length === 1, 'the urgent pop-up');
    expect(running.sink.onScreen(0)).toBe(true);
    expect((await jones.client.post(`/api/alerts/${urgent.alertId}/acknowledge`, {})).status).toBe(
      200,
    );
    await waitUntil(() => !running.sink.onScreen(0), 'the pop-up to close');
    expect(running.sink.closed).toEqual([running.sink.shown[0]!.eventIds[0]]);
  });

  it('pops an unacknowledged urgent alert up again at each repeat', async () => {
    const admin = api(server.url, (await login(server.url, 'admin', DEMO_PASSWORD)).token);
    await admin.patch('/api/admin/alert-settings', {
      repeatIntervalSeconds: 1,
      repeats: 1,
      escalationTarget: { kind: 'none' },
    });
    try {
      const running = await startDesk();
      const urgent = await send('URGENT: anyone?', 'urgent');
      await waitUntil(() => running.sink.shown.length === 2, 'the repeat pop-up');
      expect(running.sink.shown[1]).toMatchObject({
        urgency: 'critical',
        persistent: true,
        acknowledgeAlertId: urgent.alertId,
      });
      expect(running.sink.shown[1]!.title).toMatch(/^Repeat 1 of 1 · Urgent: /);
      running.sink.acknowledge(1);
      await waitUntil(
        () => !running.sink.onScreen(0) && !running.sink.onScreen(1),
        'both pop-ups to close',
      );
    } finally {
      await admin.patch('/api/admin/alert-settings', {
        repeatIntervalSeconds: 120,
        repeats: 3,
        escalationTarget: { kind: 'role', role: 'nurse' },
      });
    }
  });

  it("reports an urgent alert's receipts at once while the server asks for a pause; routine ones wait", async () => {
    // The real server's answers, each asking for a minute's pause: how a server with thousands
    // of desks reporting answers (receipt-pacing.ts); this one has a single desk.
    const pausedFetch: HttpFetch = async (url, init) => {
      const response = await countingFetch(url, init);
      if (!url.endsWith('/api/alerts/receipts') || !response.ok) return response;
      const answer = (await response.json()) as { recorded: number };
      return new Response(JSON.stringify({ ...answer, nextReportInMs: 60_000 }), {
        status: 200,
        headers: { 'content-type': 'application/json' },
      });
    };
    desk = await openDesk({
      serverUrl: server.url,
      token: jones.token,
      userId: jones.id,
      dataDirectory,
      fetch: pausedFetch,
      desk: WARD_PC,
    });
    await waitUntil(() => desk!.events.some((event) => event.type === 'ready'), 'the stream to be ready');
    // The first report (the earlier tests' messages, replayed to this new desk as delivered, or
    // this one) is answered with the pause.
    await send('Obs due in bay 2');
    await waitUntil(() => reported.length > 0, 'the first report');

    const routine = await send('Bloods back for bay 4');
    await waitUntil(
      () => desk!.events.some((event) => 'alert_id' in event && event.alert_id === String(routine.alertId)),
      'the routine message to arrive',
    );
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(reportsOf(routine.alertId!)).toEqual([]);

    const urgent = await send('Chest pain in room 3', 'urgent');
    await waitUntil(() => reportsOf(urgent.alertId!).includes('shown'), "the urgent alert's report");
    // The routine receipt that waited went with it.
    expect(reportsOf(routine.alertId!)).toHaveLength(1);
  });
});
