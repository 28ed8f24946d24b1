import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { networkHostsUnavailable } from '../../support/network-hosts.js';
import { postgresUnavailableReason } from '../../support/postgres-server.js';
import { openRawStream } from '../../support/sse-client.js';
import { startHostedClinic, type HostedClinic } from './support/hosted-clinic.js';

/**
 * The scaled deployment of the README on four test hosts: a Redis Cluster (three primaries with
 * a replica each) on `redis`, PostgreSQL on `db`, one server process on each of `app1` and `app2`.
 */
const skipReason = networkHostsUnavailable() ?? postgresUnavailableReason();
if (skipReason) console.log(`[multi-host cluster] SKIPPED: ${skipReason}`);

describe.skipIf(skipReason !== null)('two server hosts on PostgreSQL and a Redis Cluster', () => {
  let clinic: HostedClinic;

  beforeAll(async () => {
    clinic = await startHostedClinic({ redis: 'cluster' });
  }, 90_000);

  afterAll(async () => {
    await clinic?.stop();
  }, 60_000);

  afterEach(async () => {
    await clinic.reconnectToData('app1');
  });

  it('a message sent through one host reaches desks on both, every one once and in order', async () => {
    const on1 = await clinic.desk('app1');
    const on2 = await clinic.desk('app2');
    const from = clinic.accepted.length;
    expect(await clinic.send('app2', 10)).toEqual(Array(10).fill(201));
    expect(await clinic.send('app1', 10)).toEqual(Array(10).fill(201));
    const sent = clinic.accepted.slice(from);
    for (const desk of [on1, on2]) {
      await expect.poll(() => desk.viaStream.length).toBe(sent.length);
      expect(desk.viaStream).toEqual(sent);
      desk.stop();
    }
  });

  it('app1 cut off from the data hosts: its streams end (each shard link is found dead); healed, the desk there gets every message sent meanwhile once', async () => {
    const desk = await clinic.desk('app1');
    const from = clinic.accepted.length;
    const raw = await openRawStream(`${clinic.apps.app1.url}/api/events/stream`, { authorization: `Bearer ${clinic.recipientToken}` });
    await raw.waitFor((stream) => stream.messages.some((message) => message.event === 'ready'));
    let ended = false;
    void raw.ended.then(() => (ended = true));

    await clinic.cutOffFromData('app1');
    await expect.poll(() => ended, { timeout: 30_000 }).toBe(true);
    expect(await clinic.send('app2', 5)).toEqual(Array(5).fill(201));
    await clinic.reconnectToData('app1');
    await expect.poll(() => clinic.ready('app1'), { timeout: 30_000 }).toBe(true);
    expect(await clinic.send('app1', 3)).toEqual(Array(3).fill(201));

    const sent = clinic.accepted.slice(from);
    await expect.poll(() => desk.viaStream.length, { timeout: 30_000 }).toBe(sent.length);
    expect(desk.viaStream).toEqual(sent);
    desk.stop();
  }, 60_000);

  it("app1's process killed (kill -9) mid-burst: its desk resumes on app2 and gets every accepted message once; app1 comes back", async () => {
    const first = await clinic.desk('app1');
    const from = clinic.accepted.length;
    await clinic.send('app1', 3);
    await expect.poll(() => first.viaStream.length).toBe(3);

    // Sends through both hosts; those app1 was answering when it died are not accepted (no 201).
    const sending = Promise.all([clinic.send('app2', 30), clinic.send('app1', 30).catch(() => [])]);
    await expect.poll(() => clinic.accepted.length - from).toBeGreaterThanOrEqual(13);
    await clinic.apps.app1.kill();
    await sending;
    expect(await clinic.ready('app1')).toBe(false);
    first.stop();
    const second = await clinic.desk('app2', first.lastId()!);
    await clinic.send('app2', 5);

    // Accepted through app1 but not yet published when it died: app2's relay publishes it from
    // the shared outbox. The desk knows each message once, in the order ids were handed out.
    const accepted = clinic.accepted.slice(from);
    const seen = () => [...first.viaStream, ...second.viaStream];
    await expect.poll(() => accepted.every((id) => seen().includes(id)), { timeout: 30_000 }).toBe(true);
    expect(new Set(seen()).size).toBe(seen().length);
    expect(second.resyncs()).toBe(0);

    await clinic.restart('app1');
    await expect.poll(() => clinic.ready('app1')).toBe(true);
    second.stop();
    const third = await clinic.desk('app1', second.lastId()!);
    expect(await clinic.send('app1', 3)).toEqual(Array(3).fill(201));
    const after = clinic.accepted.slice(-3);
    await expect.poll(() => after.every((id) => third.viaStream.includes(id))).toBe(true);
    expect(new Set(third.viaStream).size).toBe(third.viaStream.length);
    third.stop();
  }, 90_000);
});
