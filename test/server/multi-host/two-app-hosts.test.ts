import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MessagesResponse } from '../../../common/api.js';
import { networkHostsUnavailable } from '../../support/network-hosts.js';
import { postgresUnavailableReason } from '../../support/postgres-server.js';
import { openRawStream } from '../../support/sse-client.js';
import { api } from '../../support/test-server.js';
import { startHostedClinic, type HostedClinic } from './support/hosted-clinic.js';

/**
 * Two server processes on two hosts (network namespaces), PostgreSQL and Redis on two more; the
 * test runner is the desks and the load balancer. Links are cut as a cable is pulled: nothing is
 * told, packets are lost.
 */
const skipReason = networkHostsUnavailable() ?? postgresUnavailableReason();
if (skipReason) console.log(`[multi-host] SKIPPED: ${skipReason}`);

/** Past the server's bounded waits (Redis command 1 s, PostgreSQL connect 2 s, query 6 s): an answer later than this is a hang. */
const HANG_MS = 15_000;
const REFUSED_TEXT = 'sent while app1 cannot reach the database';

describe.skipIf(skipReason !== null)('two server hosts, PostgreSQL and Redis on hosts of their own', () => {
  let clinic: HostedClinic;

  beforeAll(async () => {
    clinic = await startHostedClinic({ redis: 'single' });
  }, 90_000);

  afterAll(async () => {
    await clinic?.stop();
  }, 60_000);

  afterEach(async () => {
    for (const host of clinic.network.hosts) await clinic.network.restoreLink(host);
    await clinic.reconnectToData('app1');
  });

  /** Whether app1's session holds the outbox relay's turn: RELAY_LOCK of server/outbox/outbox-store.ts, a session advisory lock. */
  const app1HoldsRelayTurn = async () => {
    const rows = await clinic.query<{ holders: number }>(
      `SELECT count(*)::int AS holders FROM pg_locks l JOIN pg_stat_activity a USING (pid)
        WHERE l.locktype = 'advisory' AND l.granted AND ((l.classid::bigint << 32) | l.objid::bigint) = x'6f7574626f78'::bigint
          AND host(a.client_addr) = '${clinic.network.address('app1')}'`,
    );
    return rows[0]!.holders > 0;
  };

  it('a message sent through app2 reaches a desk on app1, every one once and in order', async () => {
    const desk = await clinic.desk('app1');
    const before = clinic.accepted.length;
    expect(await clinic.send('app2', 20)).toEqual(Array(20).fill(201));
    const sent = clinic.accepted.slice(before);
    await expect.poll(() => desk.viaStream.length).toBe(sent.length);
    expect(desk.viaStream).toEqual(sent);
    desk.stop();
  });

  it("app1's link cut while messages are sent through app2: the desk moves to app2 with its Last-Event-ID and misses nothing; app1 restored serves again", async () => {
    const first = await clinic.desk('app1');
    const from = clinic.accepted.length;
    await clinic.send('app2', 5);
    await expect.poll(() => first.viaStream.length).toBe(5);

    await clinic.network.cutLink('app1');
    const sending = clinic.send('app2', 30);
    // The load balancer's health check fails, so it sends the desk's next connection to app2.
    expect(await clinic.ready('app1')).toBe(false);
    first.stop();
    const second = await clinic.desk('app2', first.lastId()!);
    expect(await sending).toEqual(Array(30).fill(201));
    await expect.poll(() => first.viaStream.length + second.viaStream.length).toBe(clinic.accepted.length - from);
    expect([...first.viaStream, ...second.viaStream]).toEqual(clinic.accepted.slice(from));
    expect(second.resyncs()).toBe(0);

    await clinic.network.restoreLink('app1');
    await expect.poll(() => clinic.ready('app1'), { timeout: 30_000 }).toBe(true);
    second.stop();
    const third = await clinic.desk('app1', second.lastId()!);
    expect(await clinic.send('app1', 5)).toEqual(Array(5).fill(201));
    await clinic.send('app2', 5);
    await expect.poll(() => first.viaStream.length + second.viaStream.length + third.viaStream.length).toBe(clinic.accepted.length - from);
    expect([...first.viaStream, ...second.viaStream, ...third.viaStream]).toEqual(clinic.accepted.slice(from));
    third.stop();
  }, 60_000);

  it('app1 alone cut off from the data hosts: it answers 503 without hanging, is not ready, ends its streams; healed, every accepted message arrives once', async () => {
    const on1 = await clinic.desk('app1');
    const on2 = await clinic.desk('app2');
    const from = clinic.accepted.length;
    await clinic.send('app1', 3);
    for (const desk of [on1, on2]) await expect.poll(() => desk.viaStream.length).toBe(3);
    const raw = await openRawStream(`${clinic.apps.app1.url}/api/events/stream`, { authorization: `Bearer ${clinic.recipientToken}` });
    await raw.waitFor((stream) => stream.messages.some((message) => message.event === 'ready'));
    let ended = false;
    void raw.ended.then(() => (ended = true));

    await clinic.cutOffFromData('app1');
    // What the load balancer and the desks see of app1 while it cannot reach its data.
    await expect.poll(async () => (await fetch(`${clinic.apps.app1.url}/readyz`, { signal: AbortSignal.timeout(HANG_MS) })).status, { timeout: 30_000 }).toBe(503);
    const refused = await fetch(`${clinic.apps.app1.url}/api/conversations/${clinic.conversationId}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${clinic.recipientToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ text: REFUSED_TEXT }),
      signal: AbortSignal.timeout(HANG_MS),
    });
    expect(refused.status).toBe(503);
    await expect.poll(() => ended, { timeout: 30_000 }).toBe(true);
    // Once it knows, it stays responsive: a liveness probe with a 1 s timeout (Kubernetes' default)
    // keeps passing, so nothing restarts a process that is only waiting for its database.
    for (let probe = 0; probe < 12; probe++) {
      const live = await fetch(`${clinic.apps.app1.url}/healthz`, { signal: AbortSignal.timeout(1_000) }).then(
        (response) => response.status,
        (error: unknown) => String(error),
      );
      expect(live, `liveness probe ${probe}`).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    // app2 goes on as before.
    expect(await clinic.send('app2', 5)).toEqual(Array(5).fill(201));

    await clinic.reconnectToData('app1');
    await expect.poll(() => clinic.ready('app1'), { timeout: 30_000 }).toBe(true);
    expect(await clinic.send('app1', 3)).toEqual(Array(3).fill(201));
    const all = clinic.accepted.slice(from);
    for (const desk of [on1, on2]) {
      await expect.poll(() => desk.knows(all), { timeout: 30_000 }).toBe(true);
      expect(new Set(desk.viaStream).size).toBe(desk.viaStream.length);
      if (desk.resyncs() === 0) expect(desk.viaStream).toEqual(all);
    }
    // The send refused with 503 changed nothing.
    const { body } = await api(clinic.apps.app2.url, clinic.recipientToken).get(`/api/conversations/${clinic.conversationId}/messages?limit=200`);
    expect((body as MessagesResponse).messages.map((message) => message.text)).not.toContain(REFUSED_TEXT);
    on1.stop();
    on2.stop();
  }, 90_000);

  it("app1 dies (its link cut) while it holds the outbox relay's turn: PostgreSQL lets the dead session go, app2 relays, and every accepted message arrives once", async () => {
    const desk = await clinic.desk('app2');
    const from = clinic.accepted.length;
    // app1 cannot reach Redis: each message it accepts makes its relay take the turn and wait for
    // Redis, give up and try again. Its link is cut at such a moment: a host losing power.
    await clinic.network.dropBetween('app1', 'redis');
    for (let attempt = 0; ; attempt++) {
      if (attempt === 30) throw new Error('app1 never held the relay turn when its link was cut');
      expect(await clinic.send('app1', 1)).toEqual([201]);
      if (!(await app1HoldsRelayTurn())) continue;
      await clinic.network.cutLink('app1');
      if (await app1HoldsRelayTurn()) break;
      await clinic.network.restoreLink('app1');
    }

    expect(await clinic.send('app2', 5)).toEqual(Array(5).fill(201));
    const accepted = clinic.accepted.slice(from);
    await expect.poll(() => desk.knows(accepted), { timeout: 45_000 }).toBe(true);
    expect(new Set(desk.viaStream).size).toBe(desk.viaStream.length);
    expect(desk.resyncs()).toBe(0);
    desk.stop();

    await clinic.network.restoreLink('app1');
    await clinic.network.restoreBetween('app1', 'redis');
    await expect.poll(() => clinic.ready('app1'), { timeout: 30_000 }).toBe(true);
  }, 90_000);
});
