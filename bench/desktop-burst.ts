/**
 * `npm run bench -- --desktop-burst` — issue 15's desktop scenario: a desk that was away while
 * 1,000 messages arrived comes back and replays them at once. Per run: a fresh redis-server and
 * server process (demo accounts), a desk (bench/desktop-burst-desk.ts, its own process) signs in
 * as Nurse Ben Jones and goes away, Dr. Raj Patel and Mia Lee send the messages through
 * `POST /api/conversations/:id/messages`, the desk returns. Reported per run and as medians: the
 * desk's CPU time, cursor and receipt-file writes, pop-ups, badge updates, receipts reported —
 * for a desk new to the user and for one in daily use, whose ledger of notified ids is full.
 * Only ClinicPulse: Nchan has no desktop client to compare with.
 */
import { fork } from 'node:child_process';
import { Redis } from 'ioredis';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { api, login, spawnServerProcess } from '../test/support/test-server.js';
import type {
  DeskBurstRequest,
  DeskBurstResult,
  DeskCommand,
  DeskReply,
} from './desktop-burst-desk.js';
import { describeMachine, gitCommit } from './harness/environment.js';
import { startBenchRedis } from './harness/redis.js';
import { MAX_REMEMBERED_IDS } from '../main/cursor/cursor-store.js';
import { OUT_DIR } from './results-store.js';

const DESK = join(dirname(fileURLToPath(import.meta.url)), 'desktop-burst-desk.ts');
const SENDERS = ['dr.patel', 'frontdesk.lee'] as const;
const RECIPIENT = 'nurse.jones';
const PASSWORD = 'clinicpulse';
/** Messages in flight per sender while the desk is away. */
const SEND_CONCURRENCY = 8;
const DESK_TIME_LIMIT_MS = 180_000;

export interface DesktopBurstOptions {
  events: number;
  runs: number;
  profile: boolean;
}

/** The two desks measured: one new to the user, and one in daily use (its ledger full). */
const DESKS = [
  { desk: 'new desk', rememberedIds: 0 },
  { desk: 'desk in daily use', rememberedIds: MAX_REMEMBERED_IDS },
] as const;

export interface DesktopBurstRecord {
  command: string;
  date: string;
  commit: string;
  machine: string;
  events: number;
  desks: {
    desk: string;
    rememberedIds: number;
    runs: DeskBurstResult[];
    median: Record<keyof DeskBurstResult, number>;
  }[];
}

/** A desk process that answers one command at a time. */
function startDesk(request: DeskBurstRequest) {
  const child = fork(DESK, [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), DESK_TIME_LIMIT_MS);
  let waiting: { resolve(reply: DeskReply): void; reject(error: Error): void } | null = null;
  child.on('message', (reply: DeskReply) => waiting?.resolve(reply));
  child.once('exit', (code, signal) => {
    clearTimeout(timer);
    waiting?.reject(new Error(`the desk process ended (${signal ?? code}) before answering`));
  });
  child.send(request);
  return {
    command(command: DeskCommand): Promise<DeskReply> {
      return new Promise((resolve, reject) => {
        waiting = { resolve, reject };
        child.send(command);
      });
    },
    kill: () => child.kill('SIGKILL'),
  };
}

function expectOk(reply: DeskReply): asserts reply is Exclude<DeskReply, { ok: false }> {
  if (!reply.ok) throw new Error(`the desk failed: ${reply.error}`);
}

/** Each sender's conversation with the recipient (the demo's, or a new one). */
async function conversationsWith(serverUrl: string, recipientId: number) {
  return Promise.all(
    SENDERS.map(async (username) => {
      const { token } = await login(serverUrl, username, PASSWORD);
      const client = api(serverUrl, token);
      const { status, body } = await client.post<{ conversation: { id: number } }>(
        '/api/conversations',
        { participantIds: [recipientId] },
      );
      if (status !== 200 && status !== 201) throw new Error(`conversation: ${status}`);
      return { client, conversationId: body.conversation.id };
    }),
  );
}

async function sendMessages(
  senders: Awaited<ReturnType<typeof conversationsWith>>,
  count: number,
): Promise<void> {
  let next = 0;
  const worker = async (sender: (typeof senders)[number]) => {
    while (next < count) {
      const n = next++;
      const { status, body } = await sender.client.post(
        `/api/conversations/${sender.conversationId}/messages`,
        {
          text: `Room ${1 + (n % 12)}: bloods are back for the patient in bed ${n}, please review`,
        },
      );
      if (status !== 201)
        throw new Error(`sending message ${n}: ${status} ${JSON.stringify(body)}`);
    }
  };
  await Promise.all(
    senders.flatMap((sender) => Array.from({ length: SEND_CONCURRENCY }, () => worker(sender))),
  );
}

async function runOnce(
  events: number,
  rememberedIds: number,
  run: number,
  profileFile: string | undefined,
) {
  const { redis } = await startBenchRedis();
  const redisClient = new Redis(redis.url);
  const workDir = mkdtempSync(join(tmpdir(), 'clinicpulse-desk-burst-'));
  const server = await spawnServerProcess({
    redisUrl: redis.url,
    dataDir: join(workDir, 'server'),
    env: {
      NODE_ENV: 'production',
      TEST_ENDPOINTS: 'false',
      HEARTBEAT_SECONDS: '15',
      // The whole burst is still held, so the desk replays it instead of being told to resync.
      EVENT_HISTORY_LENGTH: String(events + 100),
      MESSAGE_RATE_LIMIT: String(events * 10),
    },
  });
  let desk: ReturnType<typeof startDesk> | undefined;
  try {
    const recipient = await login(server.url, RECIPIENT, PASSWORD);
    const senders = await conversationsWith(server.url, recipient.user.id);
    desk = startDesk({
      serverUrl: server.url,
      token: recipient.token,
      userId: recipient.user.id,
      dataDirectory: join(workDir, 'desk'),
      events,
      rememberedIds,
      ...(profileFile ? { profileFile } : {}),
    });
    expectOk(await desk.command({ command: 'prime' }));
    const history = `user:${recipient.user.id}:events`;
    const heldBefore = await redisClient.llen(history);
    await sendMessages(senders, events);
    // The outbox relay publishes after the commit: the desk returns once all of it is held.
    const deadline = Date.now() + 60_000;
    while ((await redisClient.llen(history)) < heldBefore + events) {
      if (Date.now() > deadline) throw new Error('the messages never all reached the history');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const reply = await desk.command({ command: 'return' });
    expectOk(reply);
    if (reply.phase !== 'measured') throw new Error('the desk did not measure');
    process.stderr.write(`    run ${run}: ${describe(reply.result)}\n`);
    return reply.result;
  } finally {
    desk?.kill();
    redisClient.disconnect();
    await server.stop();
    await redis.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

function describe(result: DeskBurstResult): string {
  return [
    `${result.cpuMs.toFixed(0)} ms CPU`,
    `${result.cursorWrites} cursor writes`,
    `${result.receiptFileWrites} receipt-file writes`,
    `${result.popups} pop-ups (${result.summaries} summaries)`,
    `${result.badgeUpdates} badge updates`,
    `${result.receiptsReported} receipts in ${result.receiptReports} reports`,
    `replay ${result.replayMs.toFixed(0)} ms, done ${result.doneMs.toFixed(0)} ms`,
  ].join(', ');
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

export async function runDesktopBurst(options: DesktopBurstOptions): Promise<DesktopBurstRecord> {
  const machine = describeMachine();
  const commit = gitCommit();
  process.stderr.write(
    `${machine}; commit ${commit}\n\nDesktop burst: a desk returns to ${options.events} messages\n`,
  );
  const profileDir = join(OUT_DIR, 'profiles', 'desktop-burst');
  if (options.profile) mkdirSync(profileDir, { recursive: true });
  const desks: DesktopBurstRecord['desks'] = [];
  for (const { desk, rememberedIds } of DESKS) {
    process.stderr.write(`  ${desk} (${rememberedIds} notified ids remembered):\n`);
    const runs: DeskBurstResult[] = [];
    for (let run = 1; run <= options.runs; run++) {
      const profileFile = options.profile
        ? join(profileDir, `desk-${rememberedIds}-run-${run}.cpuprofile`)
        : undefined;
      runs.push(await runOnce(options.events, rememberedIds, run, profileFile));
    }
    const keys = Object.keys(runs[0] as DeskBurstResult) as (keyof DeskBurstResult)[];
    const medians = Object.fromEntries(
      keys.map((key) => [key, median(runs.map((result) => result[key]))]),
    ) as Record<keyof DeskBurstResult, number>;
    process.stderr.write(`    median of ${runs.length}: ${describe(medians)}\n`);
    desks.push({ desk, rememberedIds, runs, median: medians });
  }
  const record: DesktopBurstRecord = {
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`,
    date: new Date().toISOString(),
    commit,
    machine,
    events: options.events,
    desks,
  };
  mkdirSync(OUT_DIR, { recursive: true });
  writeFileSync(join(OUT_DIR, `desktop-burst-${Date.now()}.json`), JSON.stringify(record, null, 2));
  if (options.profile) process.stderr.write(`  profiles in ${profileDir}\n`);
  return record;
}
