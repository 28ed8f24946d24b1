import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Conversation } from '../../common/api.js';
import { writeFileAtomic, type DurableWrite } from '../../main/cursor/atomic-file.js';
import { DEFAULT_BURST_OPTIONS } from '../../main/notify/burst-coalescer.js';
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
 * A desk that was away comes back to a burst of messages, under Node against the real server,
 * Redis and SQLite; the recording sink stands in for the OS's notification daemon. What the
 * nurse sees — one summary pop-up, the badge — and what the desk writes to disk to get there.
 */
let redis: TestRedis;
let redisClient: Redis;
let server: TestServer;
let smith: ReturnType<typeof api>;
let jones: { id: number; token: string };
let conversation: Conversation;

const WARD_PC = { id: 'desk-ward-pc-burst-0001', name: "Nurses' station PC" };
const BURST = 300;

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

beforeAll(async () => {
  redis = await startTestRedis();
  redisClient = new Redis(redis.url);
  server = await startTestServer({ redisUrl: redis.url, env: { MESSAGE_RATE_LIMIT: '5000' } });
  const smithLogin = await login(server.url, 'dr.smith', DEMO_PASSWORD);
  const jonesLogin = await login(server.url, 'nurse.jones', DEMO_PASSWORD);
  smith = api(server.url, smithLogin.token);
  jones = { id: jonesLogin.user.id, token: jonesLogin.token };
  const created = await smith.post<{ conversation: Conversation }>('/api/conversations', {
    participantIds: [jones.id],
  });
  conversation = created.body.conversation;
});

afterAll(async () => {
  redisClient.disconnect();
  await server.close();
  await redis.stop();
});

/** The real atomic write, counted per file kind; `failing` makes the cursor's fail (disk full). */
function countedDisk() {
  const writes = { cursor: 0, receipts: 0 };
  const disk = { failing: false };
  const write: DurableWrite = async (path, content) => {
    const kind = path.includes('cursors') ? 'cursor' : 'receipts';
    if (kind === 'cursor' && disk.failing)
      throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
    writes[kind] += 1;
    await writeFileAtomic(path, content);
  };
  return { writes, disk, write };
}

function temporaryDirectory(): string {
  const dir = mkdtempSync(join(tmpdir(), 'clinicpulse-burst-desk-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function startDesk(options: {
  dataDirectory: string;
  write: DurableWrite;
  fetch?: HttpFetch;
}): Promise<Desk> {
  const desk = await openDesk({
    serverUrl: server.url,
    token: jones.token,
    userId: jones.id,
    desk: WARD_PC,
    // The app's own burst window: the test waits for the summary as a nurse would.
    burst: DEFAULT_BURST_OPTIONS,
    ...options,
  });
  cleanups.push(() => desk.session.stop().catch(() => undefined));
  await waitUntil(() => desk.events.some((event) => event.type === 'ready'), 'the desk is ready');
  return desk;
}

/** Sends `count` messages from Dr. Smith and waits until Redis holds all of them for Jones. */
async function sendWhileAway(count: number): Promise<void> {
  const history = `user:${jones.id}:events`;
  const before = await redisClient.llen(history);
  let next = 0;
  const sender = async () => {
    while (next < count) {
      const n = next++;
      const { status } = await smith.post(`/api/conversations/${conversation.id}/messages`, {
        text: `Bed ${n}: obs due`,
      });
      expect(status).toBe(201);
    }
  };
  await Promise.all(Array.from({ length: 6 }, sender));
  const deadline = Date.now() + 20_000;
  while ((await redisClient.llen(history)) < before + count) {
    if (Date.now() > deadline) throw new Error('the outbox relay never published every message');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('a desk back from being away replays a burst', () => {
  it(`${BURST} messages: one summary pop-up, the badge at ${BURST}, a few writes of the cursor and receipts, not one per message`, async () => {
    const dataDirectory = temporaryDirectory();
    const first = await startDesk({ dataDirectory, write: countedDisk().write });
    await first.session.stop();

    await sendWhileAway(BURST);

    let receiptsReported = 0;
    const { writes, write } = countedDisk();
    const desk = await startDesk({
      dataDirectory,
      write,
      fetch: async (url, init) => {
        const response = await fetch(url, init);
        if (url.endsWith('/api/alerts/receipts') && response.ok && typeof init.body === 'string')
          receiptsReported += (JSON.parse(init.body) as { receipts: unknown[] }).receipts.length;
        return response;
      },
    });
    await waitUntil(() => desk.sink.shown.length > 0, 'the summary pop-up');
    await waitUntil(() => receiptsReported >= BURST, 'every shown receipt was reported');

    expect(desk.sink.shown).toHaveLength(1);
    expect(desk.sink.shown[0]).toMatchObject({
      kind: 'summary',
      title: 'ClinicPulse',
      body: `${BURST} new messages from Dr. Sarah Smith`,
    });
    expect(new Set(desk.sink.eventIds()).size).toBe(BURST);
    expect(desk.session.unreadCount).toBe(BURST);
    expect(desk.unreadCounts.at(-1)).toBe(BURST);
    // Group commit: each run of events that arrived together is one atomic write, and the app
    // hears of the badge once per run — not once per message (that was 301 writes and 300
    // badge updates for this burst).
    expect(writes.cursor).toBeLessThanOrEqual(10);
    expect(writes.receipts).toBeLessThanOrEqual(10);
    expect(desk.unreadCounts.length).toBeLessThanOrEqual(10);
  });

  it('a cursor that cannot be written shows no pop-up; after a restart each message pops up once', async () => {
    const dataDirectory = temporaryDirectory();
    const { disk, write } = countedDisk();
    const first = await startDesk({ dataDirectory, write });
    disk.failing = true;

    await sendWhileAway(3);
    await waitUntil(
      () => first.problems.some((problem) => problem.includes('not recorded')),
      'the failed write is reported',
    );
    await first.session.stop().catch(() => undefined);
    expect(first.sink.shown).toEqual([]);

    disk.failing = false;
    const second = await startDesk({ dataDirectory, write });
    await waitUntil(
      () => second.sink.eventIds().length >= 3,
      'the messages pop up after the restart',
    );
    expect(second.sink.eventIds()).toHaveLength(3);
    expect(second.eventIds()).toEqual(second.sink.eventIds());
    await second.session.stop();

    const third = await startDesk({ dataDirectory, write });
    expect(third.sink.shown).toEqual([]);
  });
});
