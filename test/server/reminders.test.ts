import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Appointment } from '../../common/api.js';
import type { StreamEvent } from '../../common/events.js';
import { AppointmentStore } from '../../server/appointments/appointment-store.js';
import { REMINDERS_DUE_KEY, ReminderQueue } from '../../server/appointments/reminder-queue.js';
import { ReminderScheduler } from '../../server/appointments/reminder-scheduler.js';
import { startTestRedis, type TestRedis } from '../support/redis-server.js';
import { api, DEMO_PASSWORD, login, startTestServer } from '../support/test-server.js';
import { addUsers, featureContext, type FeatureContext } from './support/feature-context.js';
import { eventually, rowCounts, userEvents } from './support/user-events.js';

const minutesFromNow = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString();
const reminders = (events: StreamEvent[]) => events.filter((e) => e.type === 'appointment_reminder');

describe('the reminder scheduler', () => {
  let redis: TestRedis;
  let dir: string;
  const contexts: FeatureContext[] = [];
  const schedulers: ReminderScheduler[] = [];
  const serverProcess = () => {
    const context = featureContext(redis.url, join(dir, 'clinicpulse.db'));
    contexts.push(context);
    return context.ctx;
  };
  const scheduler = (ctx: ReturnType<typeof serverProcess>) => {
    const s = new ReminderScheduler(ctx, { intervalMs: 20 });
    schedulers.push(s);
    return s;
  };

  beforeAll(async () => {
    redis = await startTestRedis();
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'clinicpulse-reminders-'));
  });
  afterEach(async () => {
    await Promise.all(schedulers.splice(0).map((s) => s.stop()));
    await Promise.all(contexts.splice(0).map((c) => c.close()));
    rmSync(dir, { recursive: true, force: true });
    await redis.flushAll();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('sends each due reminder to each person exactly once with two schedulers ticking at the same time', async () => {
    const a = serverProcess();
    const b = serverProcess();
    const users = addUsers(a, 8);
    const store = new AppointmentStore(a.db);
    const queue = new ReminderQueue(a.redis);
    const appointments: Appointment[] = [];
    for (let i = 0; i < 80; i++) {
      const appointment = store.create({
        time: minutesFromNow(2),
        content: `Patient ${i}`,
        remindUserIds: users.filter((_, k) => (k + i) % 3 !== 0),
        reminderLeadMinutes: 5 + (i % 4),
        createdBy: users[0]!,
      });
      appointments.push(appointment);
      // Half are queued as the API does; the rest only exist in SQLite and come in through the seed.
      if (i % 2 === 0) await queue.schedule({ id: appointment.id, remindAtMs: Date.parse(appointment.remindAt) });
    }
    const later = store.create({ time: minutesFromNow(90), content: 'Not yet', remindUserIds: users, reminderLeadMinutes: 15, createdBy: users[0]! });

    const first = scheduler(a);
    const second = scheduler(b);
    let sent = 0;
    for (let round = 0; round < 4; round++) {
      const counts = await Promise.all([first.tick(), second.tick(), first.tick(), second.tick()]);
      // A call during a tick shares it, so count each scheduler's tick once per round.
      sent += counts[0] + counts[1];
    }
    expect(sent).toBe(80);

    for (const userId of users) {
      const received = reminders(await userEvents(a.redis, userId));
      const expected = appointments.filter((appt) => appt.remindUserIds.includes(userId)).map((appt) => String(appt.id));
      expect(received.map((e) => e.appointmentId).sort()).toEqual(expected.sort());
      expect(received.every((e) => e.type === 'appointment_reminder' && e.content.startsWith('Patient '))).toBe(true);
    }
    const unsent = a.db.prepare('SELECT id FROM appointments WHERE reminder_sent_at IS NULL').all() as { id: number }[];
    expect(unsent).toEqual([{ id: later.id }]);
    expect(await a.redis.zrange(REMINDERS_DUE_KEY, 0, -1)).toEqual([String(later.id)]);
  });

  it('publishes the original payload: appointmentId as a string, time, content, timestamp', async () => {
    const ctx = serverProcess();
    const [userId] = addUsers(ctx, 1);
    const time = minutesFromNow(10);
    const appointment = new AppointmentStore(ctx.db).create({ time, content: 'Annual checkup', remindUserIds: [userId!], reminderLeadMinutes: 15, createdBy: userId! });
    expect(await scheduler(ctx).tick()).toBe(1);
    expect(reminders(await userEvents(ctx.redis, userId!))).toEqual([
      { id: expect.any(Number), type: 'appointment_reminder', appointmentId: String(appointment.id), time, content: 'Annual checkup', timestamp: expect.any(String), alert_id: expect.stringMatching(/^\d+$/), passes_do_not_disturb: true },
    ]);
    expect(new AppointmentStore(ctx.db).get(appointment.id)!.reminderSent).toBe(true);
  });

  it('rebuilds the queue from SQLite when Redis comes back without its data', async () => {
    const ctx = serverProcess();
    const [userId] = addUsers(ctx, 1);
    const store = new AppointmentStore(ctx.db);
    const running = scheduler(ctx);
    running.start();
    await eventually(async () => (await ctx.redis.exists(REMINDERS_DUE_KEY)) === 0, 'the first tick');
    const appointment = store.create({ time: minutesFromNow(1), content: 'Dressing change', remindUserIds: [userId!], reminderLeadMinutes: 0, createdBy: userId! });
    await new ReminderQueue(ctx.redis).schedule({ id: appointment.id, remindAtMs: Date.parse(appointment.remindAt) });

    // A restart without persistence: the queue entry is gone.
    await redis.stop({ keepData: true });
    await redis.start();
    await eventually(async () => ctx.redis.status === 'ready' && (await ctx.redis.zscore(REMINDERS_DUE_KEY, String(appointment.id))) !== null, 'the reseed');
    // Make it due now, as if the minute had passed.
    ctx.db.prepare('UPDATE appointments SET remind_at = ? WHERE id = ?').run(new Date(Date.now() - 1000).toISOString(), appointment.id);
    await ctx.redis.zadd(REMINDERS_DUE_KEY, Date.now() - 1000, String(appointment.id));
    await eventually(async () => reminders(await userEvents(ctx.redis, userId!)).length === 1, 'the reminder');
    // Marked sent once published (a crash in between sends it again rather than never).
    await eventually(() => store.get(appointment.id)!.reminderSent, 'the reminder marked sent');
  });

  it('a claim whose sender crashed before sending is sent after the next reseed, and a sent one never again', async () => {
    const ctx = serverProcess();
    const [userId] = addUsers(ctx, 1);
    const store = new AppointmentStore(ctx.db);
    const queue = new ReminderQueue(ctx.redis);
    const lost = store.create({ time: minutesFromNow(1), content: 'Lost claim', remindUserIds: [userId!], reminderLeadMinutes: 5, createdBy: userId! });
    await queue.schedule({ id: lost.id, remindAtMs: Date.parse(lost.remindAt) });
    expect(await queue.claimDue(Date.now(), 10)).toEqual([lost.id]); // ...and then the claimer died

    expect(await scheduler(ctx).tick()).toBe(1); // a fresh process seeds from SQLite
    expect(await scheduler(ctx).tick()).toBe(0);
    await queue.seed([{ id: lost.id, remindAtMs: Date.now() - 1 }]); // even if it were queued again
    expect(await scheduler(ctx).tick()).toBe(0);
    expect(reminders(await userEvents(ctx.redis, userId!))).toHaveLength(1);
  });
});

describe('appointments over HTTP', () => {
  let redis: TestRedis;
  let dataDir: string;
  beforeAll(async () => {
    redis = await startTestRedis();
    dataDir = mkdtempSync(join(tmpdir(), 'clinicpulse-appointments-'));
  });
  afterAll(async () => {
    await redis?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates, lists soonest first, shows only to the creator and the reminded, and reminds once when due', async () => {
    const server = await startTestServer({ redisUrl: redis.url, dataDir });
    try {
      const lee = await login(server.url, 'frontdesk.lee', DEMO_PASSWORD);
      const smith = await login(server.url, 'dr.smith', DEMO_PASSWORD);
      const patel = await login(server.url, 'dr.patel', DEMO_PASSWORD);
      const desk = api(server.url, lee.token);

      const later = await desk.post('/api/appointments', { time: minutesFromNow(180), content: 'Follow-up', remindUserIds: [smith.user.id], reminderLeadMinutes: 30 });
      expect(later.status).toBe(201);
      expect(later.body.appointment).toEqual({
        id: expect.any(Number),
        time: expect.any(String),
        content: 'Follow-up',
        remindUserIds: [smith.user.id],
        reminderLeadMinutes: 30,
        remindAt: new Date(Date.parse(later.body.appointment.time) - 30 * 60_000).toISOString(),
        createdBy: lee.user.id,
        reminderSent: false,
      });
      // Due at once: 2 minutes away with a 15-minute lead (the default).
      const soon = await desk.post('/api/appointments', { time: minutesFromNow(2), content: 'Blood test', remindUserIds: [smith.user.id, smith.user.id] });
      expect(soon.status).toBe(201);
      expect(soon.body.appointment.remindUserIds).toEqual([smith.user.id]);

      const listed = (await api(server.url, smith.token).get('/api/appointments')).body.appointments as Appointment[];
      expect(listed.map((a) => a.content)).toEqual(['Blood test', 'Follow-up']);
      expect((await desk.get('/api/appointments')).body.appointments).toHaveLength(2);
      expect((await api(server.url, patel.token).get('/api/appointments')).body.appointments).toEqual([]);
      expect((await api(server.url, smith.token).get(`/api/appointments/${soon.body.appointment.id}`)).status).toBe(200);
      const hidden = await api(server.url, patel.token).get(`/api/appointments/${soon.body.appointment.id}`);
      expect(hidden.status).toBe(404);
      expect(hidden.body.error.code).toBe('not_found');

      await eventually(async () => reminders(await userEvents(server.context.redis, smith.user.id)).length > 0, 'the reminder');
      const received = reminders(await userEvents(server.context.redis, smith.user.id));
      expect(received.map((e) => e.appointmentId)).toEqual([String(soon.body.appointment.id)]);
      await eventually(async () => (await desk.get(`/api/appointments/${soon.body.appointment.id}`)).body.appointment.reminderSent === true, 'reminderSent');
      expect(reminders(await userEvents(server.context.redis, lee.user.id))).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('refuses bad appointments with 400 and writes nothing', async () => {
    const server = await startTestServer({ redisUrl: redis.url });
    try {
      const lee = await login(server.url, 'frontdesk.lee', DEMO_PASSWORD);
      const desk = api(server.url, lee.token);
      const before = rowCounts(server.context.db);
      const queued = await server.context.redis.zcard(REMINDERS_DUE_KEY);
      const good = { time: minutesFromNow(60), content: 'Checkup', remindUserIds: [lee.user.id], reminderLeadMinutes: 10 };
      const cases: [object, RegExp][] = [
        [{ ...good, remindUserIds: [lee.user.id, 777_777] }, /777777/],
        [{ ...good, time: 'tomorrow' }, /time/],
        [{ ...good, time: minutesFromNow(-5) }, /future/],
        [{ ...good, content: '   ' }, /content/],
        [{ ...good, content: 'x'.repeat(2_001) }, /content/],
        [{ ...good, remindUserIds: [] }, /remindUserIds/],
        [{ ...good, remindUserIds: 'everyone' }, /remindUserIds/],
        [{ ...good, reminderLeadMinutes: -1 }, /reminderLeadMinutes/],
        [{ ...good, reminderLeadMinutes: '10' }, /reminderLeadMinutes/],
        [{ content: 'no time' }, /time/],
        // A clinic's appointment reminds the few people it involves, and not years ahead.
        [{ ...good, remindUserIds: Array.from({ length: 21 }, () => lee.user.id) }, /remindUserIds/],
        [{ ...good, time: minutesFromNow(367 * 24 * 60) }, /366 days/],
        [{ ...good, remindUserIds: [true] }, /remindUserIds/],
        [{ ...good, remindUserIds: [[lee.user.id]] }, /remindUserIds/],
        [{ ...good, remindUserIds: ['0x3'] }, /remindUserIds/],
      ];
      for (const [body, message] of cases) {
        const response = await desk.post('/api/appointments', body);
        expect(response.status, JSON.stringify(body)).toBe(400);
        expect(response.body.error.code).toBe('validation_failed');
        expect(response.body.error.message).toMatch(message);
      }
      expect((await desk.get('/api/appointments/abc')).status).toBe(400);
      expect((await desk.get('/api/appointments/99999')).status).toBe(404);
      expect(rowCounts(server.context.db)).toEqual(before);
      expect(await server.context.redis.zcard(REMINDERS_DUE_KEY)).toBe(queued);
    } finally {
      await server.close();
    }
  });

  it('sends on start a reminder that fell due while the server was down, even when Redis lost its queue', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'clinicpulse-appointments-down-'));
    try {
      const first = await startTestServer({ redisUrl: redis.url, dataDir: dir });
      const jones = await login(first.url, 'nurse.jones', DEMO_PASSWORD);
      const created = await api(first.url, jones.token).post('/api/appointments', {
        time: minutesFromNow(120),
        content: 'Wound check',
        remindUserIds: [jones.user.id],
        reminderLeadMinutes: 15,
      });
      expect(created.status).toBe(201);
      await first.close();

      // Down past the reminder time, and Redis restarted without its data meanwhile.
      const db = featureContext(redis.url, join(dir, 'clinicpulse.db'));
      db.ctx.db.prepare('UPDATE appointments SET remind_at = ? WHERE id = ?').run(minutesFromNow(-30), created.body.appointment.id);
      await db.close();
      await redis.flushAll();

      const second = await startTestServer({ redisUrl: redis.url, dataDir: dir });
      try {
        await eventually(async () => reminders(await userEvents(second.context.redis, jones.user.id)).length === 1, 'the missed reminder');
        expect(reminders(await userEvents(second.context.redis, jones.user.id))[0]).toMatchObject({
          appointmentId: String(created.body.appointment.id),
          content: 'Wound check',
        });
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
