import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AlertStatus } from '../../../common/alerts.js';
import type { Conversation, Message, User } from '../../../common/api.js';
import type { StreamEvent } from '../../../common/events.js';
import { ESCALATIONS_DUE_KEY, EscalationQueue } from '../../../server/alerts/escalation-queue.js';
import { EscalationScheduler } from '../../../server/alerts/escalation-scheduler.js';
import { EscalationSteps } from '../../../server/alerts/escalation-steps.js';
import { OnDutyStore } from '../../../server/alerts/on-duty-store.js';
import { ConversationStore } from '../../../server/conversations/conversation-store.js';
import { startTestRedis, type TestRedis } from '../../support/redis-server.js';
import { api, DEMO_PASSWORD, login, spawnServerProcess, type ServerProcess } from '../../support/test-server.js';
import { addUsers, featureContext, type FeatureContext } from '../support/feature-context.js';
import { eventually, userEvents } from '../support/user-events.js';

type Of<T extends StreamEvent['type']> = Extract<StreamEvent, { type: T }>;

describe('escalation timers with several server processes', () => {
  let redis: TestRedis;
  let dir: string;
  const contexts: FeatureContext[] = [];
  const schedulers: EscalationScheduler[] = [];

  const serverProcess = () => {
    const context = featureContext(redis.url, join(dir, 'clinicpulse.db'));
    contexts.push(context);
    return context.ctx;
  };

  beforeAll(async () => {
    redis = await startTestRedis();
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'clinicpulse-escalation-'));
  });
  afterEach(async () => {
    await Promise.all(schedulers.splice(0).map((scheduler) => scheduler.stop()));
    await Promise.all(contexts.splice(0).map((context) => context.close()));
    rmSync(dir, { recursive: true, force: true });
    await redis.flushAll();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  /** Urgent messages whose steps fall due at once: interval 1 ms, two repeats, then the on-duty nurses. */
  function urgentMessages(ctx: ReturnType<typeof serverProcess>, count: number) {
    const [senderId, recipientId, nurseId] = addUsers(ctx, 3) as [number, number, number];
    new OnDutyStore(ctx.db).set(nurseId, true, nurseId);
    const store = new ConversationStore(ctx.db);
    const sender: User = { id: senderId, username: 'sender', displayName: 'Dr. Sender', role: 'clinician' };
    const conversationId = store.create(senderId, [recipientId], 'Ward').id;
    for (let i = 0; i < count; i++) {
      store.send(conversationId, sender, `Urgent ${i}`, {
        priority: 'urgent',
        escalation: { intervalMs: 1, repeats: 2, target: { kind: 'role', role: 'nurse' }, passesDoNotDisturb: true },
      });
    }
    return { recipientId, nurseId };
  }

  const escalationConversations = (ctx: ReturnType<typeof serverProcess>) =>
    (ctx.db.prepare("SELECT count(*) AS n FROM conversations WHERE title LIKE 'Escalated:%'").get() as { n: number }).n;

  it('carries out each repeat and each escalation once with two schedulers ticking at the same time', async () => {
    const a = serverProcess();
    const b = serverProcess();
    urgentMessages(a, 40);
    const first = new EscalationScheduler(a, { intervalMs: 5, reseedIntervalMs: 0 });
    const second = new EscalationScheduler(b, { intervalMs: 5, reseedIntervalMs: 0 });
    let carriedOut = 0;
    await eventually(async () => {
      const counts = await Promise.all([first.tick(), second.tick()]);
      carriedOut += counts[0] + counts[1];
      return (a.db.prepare('SELECT count(*) AS n FROM alerts WHERE escalation_due_at IS NOT NULL').get() as { n: number }).n === 0;
    }, 'every step to be carried out');
    // Two repeats and one escalation per message, and not one step more, across both processes.
    expect(carriedOut).toBe(40 * 3);
    expect(escalationConversations(a)).toBe(40);
  });

  it('does nothing when a second process tries a step another one already carried out', () => {
    const a = serverProcess();
    const b = serverProcess();
    urgentMessages(a, 1);
    const alertId = a.db.prepare("SELECT id FROM alerts WHERE kind = 'message'").pluck().get() as number;
    // Both claimed step 1 (the queue was rebuilt between one's claim and its commit).
    const later = new Date(Date.now() + 1_000);
    expect(new EscalationSteps(a.db).fire(alertId, 1, later)).toMatchObject({ kind: 'repeated', repeat: 1 });
    expect(new EscalationSteps(b.db).fire(alertId, 1, later)).toEqual({ kind: 'stale' });
    expect(new EscalationSteps(b.db).fire(alertId, 3, later)).toEqual({ kind: 'stale' });
    expect(a.db.prepare('SELECT escalation_step FROM alerts WHERE id = ?').pluck().get(alertId)).toBe(1);
  });

  it('carries out a step whose claim was lost with the process that took it, once the queue is rebuilt', async () => {
    const ctx = serverProcess();
    urgentMessages(ctx, 1);
    const steps = () => ctx.db.prepare('SELECT escalation_step FROM alerts WHERE kind = ?').pluck().get('message');
    // A process seeded the queue and claimed step 1, then was killed before it committed anything.
    const queue = new EscalationQueue(ctx.redis);
    await queue.seed(new EscalationSteps(ctx.db).due());
    expect(await queue.claimDue(Date.now() + 1_000, 10)).toEqual([{ alertId: expect.any(Number), step: 1 }]);
    expect(await ctx.redis.zcard(ESCALATIONS_DUE_KEY)).toBe(0);
    expect(steps()).toBe(0);

    const survivor = new EscalationScheduler(ctx, { intervalMs: 20, reseedIntervalMs: 50 });
    schedulers.push(survivor);
    survivor.start();
    await eventually(() => steps() === 3, 'the survivor to carry out every step');
    expect(escalationConversations(ctx)).toBe(1);
  });
});

describe('escalation across real server processes', () => {
  let redis: TestRedis;
  let client: Redis;
  let dataDir: string;
  const processes: ServerProcess[] = [];
  /** Short intervals, and a queue rebuilt from SQLite every 300 ms, so a lost claim returns fast. */
  const ENV = { ALERT_SCHEDULER_INTERVAL_MS: '50', ALERT_RESEED_INTERVAL_MS: '300' };

  beforeAll(async () => {
    redis = await startTestRedis();
    client = new Redis(redis.url);
  });
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'clinicpulse-escalation-processes-'));
  });
  afterEach(async () => {
    await Promise.all(processes.splice(0).map((child) => child.stop()));
    rmSync(dataDir, { recursive: true, force: true });
    await redis.flushAll();
  });
  afterAll(async () => {
    client?.disconnect();
    await redis?.stop();
  });

  async function start(): Promise<ServerProcess> {
    const child = await spawnServerProcess({ redisUrl: redis.url, dataDir, env: ENV });
    processes.push(child);
    return child;
  }

  /** The clinic's settings, Nurse Kim on duty, and Dr. Smith's urgent message to Nurse Jones. */
  async function urgentMessage(url: string) {
    const admin = api(url, (await login(url, 'admin', DEMO_PASSWORD)).token);
    await admin.patch('/api/admin/alert-settings', { repeatIntervalSeconds: 1, repeats: 2, escalationTarget: { kind: 'role', role: 'nurse' } });
    const kim = (await admin.post<{ user: User }>('/api/admin/users', { username: 'nurse.kim', displayName: 'Nurse Kim Park', role: 'nurse', password: 'kim-password-1' })).body.user;
    await admin.post(`/api/admin/duty/${kim.id}`, { onDuty: true });
    const smithLogin = await login(url, 'dr.smith', DEMO_PASSWORD);
    const smith = api(url, smithLogin.token);
    const jones = (await login(url, 'nurse.jones', DEMO_PASSWORD)).user;
    const conversation = (await smith.post<{ conversation: Conversation }>('/api/conversations', { participantIds: [jones.id], title: 'Room 3' })).body.conversation;
    const message = (await smith.post<{ message: Message }>(`/api/conversations/${conversation.id}/messages`, { text: 'URGENT: chest pain', priority: 'urgent' })).body.message;
    return { smith, jones, kim, alertId: message.alertId! };
  }

  async function outcome(jonesId: number, kimId: number, alertId: number) {
    const events = await userEvents(client, jonesId);
    const repeats = events.filter((event): event is Of<'alert_repeat'> => event.type === 'alert_repeat' && event.alert_id === String(alertId));
    const escalated = events.filter((event) => event.type === 'alert_escalated' && event.alert_id === String(alertId));
    const toKim = (await userEvents(client, kimId)).filter((event): event is Of<'new_message'> => event.type === 'new_message' && event.priority === 'urgent');
    return { repeats: repeats.map((event) => event.repeat), escalations: escalated.length, toKim: toKim.length };
  }

  async function escalated(via: ReturnType<typeof api>, alertId: number): Promise<void> {
    await eventually(async () => (await via.get<{ alert: AlertStatus }>(`/api/alerts/${alertId}`)).body.alert?.escalation != null, 'the escalation');
  }

  it('repeats and escalates exactly once with two server processes', async () => {
    const a = await start();
    await start();
    const { smith, jones, kim, alertId } = await urgentMessage(a.url);
    await escalated(smith, alertId);
    // The escalation's events leave the outbox in the order written: Kim's message first, then
    // the news of it to Jones; wait for both before counting.
    await eventually(async () => {
      const seen = await outcome(jones.id, kim.id, alertId);
      return seen.toKim >= 1 && seen.escalations >= 1;
    }, 'Kim to get the escalation and Jones to hear of it');
    expect(await outcome(jones.id, kim.id, alertId)).toEqual({ repeats: [1, 2], escalations: 1, toKim: 1 });
  });

  it('repeats and escalates exactly once when the process holding the timer is killed and another takes over', async () => {
    const a = await start();
    const { jones, kim, alertId } = await urgentMessage(a.url);
    await eventually(async () => (await outcome(jones.id, kim.id, alertId)).repeats.length === 1, 'the first repeat, from process A');
    await a.kill();
    const b = await start();
    const smith = api(b.url, (await login(b.url, 'dr.smith', DEMO_PASSWORD)).token);
    await escalated(smith, alertId);
    // The escalation's events leave the outbox in the order written: Kim's message first, then
    // the news of it to Jones; wait for both before counting.
    await eventually(async () => {
      const seen = await outcome(jones.id, kim.id, alertId);
      return seen.toKim >= 1 && seen.escalations >= 1;
    }, 'Kim to get the escalation and Jones to hear of it');
    expect(await outcome(jones.id, kim.id, alertId)).toEqual({ repeats: [1, 2], escalations: 1, toKim: 1 });
  });
});
