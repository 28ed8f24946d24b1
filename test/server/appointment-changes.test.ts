import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppointmentResponse, AppointmentsResponse } from '../../common/api.js';
import { REMINDERS_DUE_KEY } from '../../server/appointments/reminder-queue.js';
import { startTestRedis, type TestRedis } from '../support/redis-server.js';
import {
  api,
  DEMO_PASSWORD,
  login,
  startTestServer,
  type TestServer,
} from '../support/test-server.js';
import { eventually, userEvents } from './support/user-events.js';

let redis: TestRedis;
let server: TestServer;
let smith: ReturnType<typeof api>;
let nurse: ReturnType<typeof api>;
let patel: ReturnType<typeof api>;
let nurseId: number;

const inMinutes = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString();

beforeAll(async () => {
  redis = await startTestRedis();
  server = await startTestServer({ redisUrl: redis.url });
  smith = api(server.url, (await login(server.url, 'dr.smith', DEMO_PASSWORD)).token);
  const nurseLogin = await login(server.url, 'nurse.jones', DEMO_PASSWORD);
  nurse = api(server.url, nurseLogin.token);
  nurseId = nurseLogin.user.id;
  patel = api(server.url, (await login(server.url, 'dr.patel', DEMO_PASSWORD)).token);
});
afterAll(async () => {
  await server?.close();
  await redis?.stop();
});

async function create(content: string, minutes: number, lead: number) {
  const response = await smith.post<AppointmentResponse>('/api/appointments', {
    time: inMinutes(minutes),
    content,
    remindUserIds: [nurseId],
    reminderLeadMinutes: lead,
  });
  expect(response.status).toBe(201);
  return response.body.appointment;
}

const remindersOf = async (appointmentId: number) =>
  (await userEvents(server.context.redis, nurseId)).filter(
    (event) =>
      event.type === 'appointment_reminder' && event.appointmentId === String(appointmentId),
  );

describe('appointments changed by their creator', () => {
  it('editing moves the pending reminder: it goes out at the new time, with the new details', async () => {
    const appointment = await create('Bloods — Mr Brown', 120, 60);
    const changed = await smith.patch<AppointmentResponse>(`/api/appointments/${appointment.id}`, {
      time: inMinutes(2),
      reminderLeadMinutes: 2,
      content: 'Bloods — Mr Brown, room 4',
    });
    expect(changed.status).toBe(200);
    expect(Date.parse(changed.body.appointment.remindAt)).toBeLessThanOrEqual(Date.now() + 1_000);
    await eventually(
      async () => (await remindersOf(appointment.id)).length === 1,
      'the moved reminder',
    );
    const [reminder] = await remindersOf(appointment.id);
    expect(reminder).toMatchObject({
      content: 'Bloods — Mr Brown, room 4',
      time: changed.body.appointment.time,
    });
  });

  it('cancelling removes the pending reminder; the appointment stays readable as cancelled', async () => {
    const appointment = await create('Physio review', 120, 60);
    const cancelled = await smith.delete<AppointmentResponse>(
      `/api/appointments/${appointment.id}`,
    );
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.appointment.cancelledAt).toEqual(expect.any(String));
    expect(await server.context.redis.zscore(REMINDERS_DUE_KEY, String(appointment.id))).toBeNull();

    // Even a stale queue entry that falls due sends nothing for a cancelled appointment.
    await server.context.redis.zadd(REMINDERS_DUE_KEY, 0, String(appointment.id));
    await eventually(
      async () =>
        (await server.context.redis.zscore(REMINDERS_DUE_KEY, String(appointment.id))) === null,
      'the scheduler to claim the stale entry',
    );
    expect(await remindersOf(appointment.id)).toEqual([]);

    const listed = await nurse.get<AppointmentsResponse>('/api/appointments');
    expect(listed.body.appointments.map((item) => item.id)).not.toContain(appointment.id);
    const opened = await nurse.get<AppointmentResponse>(`/api/appointments/${appointment.id}`);
    expect(opened.status).toBe(200);
    expect(opened.body.appointment.cancelledAt).toEqual(expect.any(String));
    expect(
      (await smith.patch(`/api/appointments/${appointment.id}`, { content: 'again' })).status,
    ).toBe(409);
  });

  it('only the creator may change it: 403 for someone reminded, 404 for anyone else, 400 for a past time', async () => {
    const appointment = await create('Team meeting', 120, 15);
    expect(
      (await nurse.patch(`/api/appointments/${appointment.id}`, { content: 'mine now' })).status,
    ).toBe(403);
    expect((await nurse.delete(`/api/appointments/${appointment.id}`)).status).toBe(403);
    expect(
      (await patel.patch(`/api/appointments/${appointment.id}`, { content: 'mine now' })).status,
    ).toBe(404);
    const past = await smith.patch(`/api/appointments/${appointment.id}`, { time: inMinutes(-5) });
    expect(past.status).toBe(400);
    expect((await smith.patch(`/api/appointments/${appointment.id}`, {})).status).toBe(400);
    const unchanged = await smith.get<AppointmentResponse>(`/api/appointments/${appointment.id}`);
    expect(unchanged.body.appointment).toMatchObject({
      content: 'Team meeting',
      time: appointment.time,
    });
  });
});
