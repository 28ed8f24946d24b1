import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AlertStatus } from '../../common/alerts.js';
import {
  NOTIFYING_EVENT_TYPES,
  STREAM_EVENT_TYPES,
  type EventPayload,
  type EventType,
  type NotifyingEventType,
} from '../../common/events.js';
import { EventPublisher } from '../../server/events/event-publisher.js';
import { startTestRedis, type TestRedis } from '../support/redis-server.js';
import { login, startTestServer, type TestServer } from '../support/test-server.js';
import { openDesk, waitUntil } from './support/desk.js';

let redis: TestRedis;
let server: TestServer;
let connection: Redis;
let publisher: EventPublisher;
beforeAll(async () => {
  redis = await startTestRedis();
  server = await startTestServer({ redisUrl: redis.url });
  connection = new Redis(redis.url);
  publisher = new EventPublisher(connection, { historyTtlSeconds: 3600, historyLength: 1000 });
});
afterAll(async () => {
  connection.disconnect();
  await server.close();
  await redis.stop();
});

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const at = '2025-01-20T10:30:00.000Z';
const status: AlertStatus = {
  alertId: 40,
  kind: 'message',
  priority: 'urgent',
  conversationId: 7,
  messageId: 90,
  createdAt: at,
  version: 3,
  acknowledged: null,
  counts: { recipients: 1, delivered: 1, shown: 0, held: 0, read: 0 },
  repeats: { sent: 0, planned: 3 },
  nextStepAt: null,
  escalation: null,
  escalatedFrom: null,
  recipients: [],
};

/**
 * One of every event that is not a notification. Typed so that a new event type fails to
 * compile here until it is added. A repeat of an urgent alert is left out: it pops up as its
 * alert would (notification-policy.test.ts).
 */
const NOT_NOTIFICATIONS: {
  [T in Exclude<EventType, NotifyingEventType | 'alert_repeat'>]: Extract<EventPayload, { type: T }>;
} = {
  notifications_read: { type: 'notifications_read', lastEventId: 1, timestamp: at },
  conversation_read: { type: 'conversation_read', conversation_id: '7', message_id: '90', timestamp: at },
  message_sent: {
    type: 'message_sent',
    conversation_id: '7',
    message_id: '91',
    sender: 'Nurse Ben Jones',
    sender_id: '3',
    text: 'sent from the ward PC',
    timestamp: at,
  },
  directory_changed: { type: 'directory_changed', timestamp: at },
  notifications_marked: { type: 'notifications_marked', event_ids: [1], read: true, timestamp: at },
  conversation_changed: {
    type: 'conversation_changed',
    conversation_id: '7',
    change: 'renamed',
    timestamp: at,
  },
  settings_changed: {
    type: 'settings_changed',
    settings: {
      previewLevel: 'sender_only',
      doNotDisturb: true,
      doNotDisturbUntil: null,
      quietHours: { enabled: false, start: '22:00', end: '07:00' },
      sound: true,
    },
    timestamp: at,
  },
  message_changed: {
    type: 'message_changed',
    conversation_id: '7',
    message_id: '90',
    change: 'edited',
    text: 'edited text',
    edited_at: at,
    acknowledged_by: [],
    timestamp: at,
  },
  alert_status: { type: 'alert_status', alert_id: '40', status, timestamp: at },
  alert_acknowledged: {
    type: 'alert_acknowledged',
    alert_id: '40',
    by: 'Dr. Raj Patel',
    by_id: '2',
    timestamp: at,
  },
  alert_escalated: {
    type: 'alert_escalated',
    alert_id: '40',
    to: 'on-duty nurses',
    reached: ['Nurse Ben Jones'],
    timestamp: at,
  },
};

describe('events that are not notifications', () => {
  it('each reaches the window, in order, under do-not-disturb too; none is held, counted or popped up', async () => {
    const { token, user } = await login(server.url, 'nurse.jones', 'clinicpulse');
    const dataDirectory = mkdtempSync(join(tmpdir(), 'clinicpulse-desk-'));
    cleanups.push(() => rmSync(dataDirectory, { recursive: true, force: true }));
    const desk = await openDesk({ serverUrl: server.url, token, userId: user.id, dataDirectory });
    cleanups.push(() => desk.session.stop());
    desk.settings.doNotDisturb = true;
    await waitUntil(() => desk.events.some((event) => event.type === 'ready'), 'the desk is ready');
    const types = Object.keys(NOT_NOTIFICATIONS) as (keyof typeof NOT_NOTIFICATIONS)[];
    expect(
      STREAM_EVENT_TYPES.filter(
        (type) =>
          !(NOTIFYING_EVENT_TYPES as readonly string[]).includes(type) && type !== 'alert_repeat',
      ).sort(),
    ).toEqual([...types].sort());

    const ids: number[] = [];
    for (const type of types) ids.push(await publisher.publish(user.id, NOT_NOTIFICATIONS[type]));
    await waitUntil(() => ids.every((id) => desk.eventIds().includes(id)), 'all reach the window');
    expect(desk.events.flatMap((event) => ('id' in event ? [event.type] : []))).toEqual(types);
    // A live control frame (a colleague's presence) reaches the window too, as it came.
    await publisher.publishLive({ type: 'presence_changed', user_id: '2', status: 'busy', timestamp: at });
    await waitUntil(() => desk.events.some((event) => event.type === 'presence_changed'), 'the presence change reaches the window');
    expect(desk.events.find((event) => event.type === 'presence_changed')).toEqual({ type: 'presence_changed', user_id: '2', status: 'busy', timestamp: at });
    expect(desk.session.unreadCount).toBe(0);
    expect(desk.unreadCounts.filter((count) => count !== 0)).toEqual([]);

    // Do-not-disturb ends: the next notification pops up, and it is the only pop-up there was.
    desk.settings.doNotDisturb = false;
    const notice = await publisher.publish(user.id, {
      type: 'system_notification',
      content: 'fire drill at 3',
      timestamp: at,
    });
    await waitUntil(() => desk.sink.eventIds().length > 0, 'the notice pops up');
    expect(desk.sink.eventIds()).toEqual([notice]);
  });
});
