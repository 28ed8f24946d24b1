import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertStatus } from '../../../common/alerts.js';
import type { Message } from '../../../common/api.js';
import { startTestRedis, type TestRedis } from '../../support/redis-server.js';
import { api, DEMO_PASSWORD, login, startTestServer, type TestServer } from '../../support/test-server.js';

/**
 * `POST /api/alerts/receipts` is answered before Express (server/alerts/receipts-endpoint.ts):
 * every rule the API applies to any other request must hold for it all the same.
 */
let redis: TestRedis;
let server: TestServer;
let alertId: number;
let jones: { token: string; cookie: string };
let smithToken: string;
let conversationId: number;

const DESK = { id: 'desk-endpoint-0001', name: 'Ward PC' };
const PAGE_ORIGIN = 'http://clinic-frontend.example';

const receiptRows = () => (server.context.db.prepare('SELECT count(*) AS n FROM alert_receipt_facts').get() as { n: number }).n;

function post(headers: Record<string, string>, body: string, path = '/api/alerts/receipts') {
  return fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
}

const shown = () => JSON.stringify({ desk: DESK, receipts: [{ alertId, state: 'shown' }] });

async function errorCode(response: Response): Promise<string> {
  return ((await response.json()) as { error: { code: string } }).error.code;
}

beforeAll(async () => {
  redis = await startTestRedis();
  server = await startTestServer({ redisUrl: redis.url, env: { CORS_ORIGINS: PAGE_ORIGIN } });
  const smith = await login(server.url, 'dr.smith', DEMO_PASSWORD);
  const signedIn = await login(server.url, 'nurse.jones', DEMO_PASSWORD);
  jones = { token: signedIn.token, cookie: signedIn.cookie };
  smithToken = smith.token;
  const conversation = (await api(server.url, smithToken).post<{ conversation: { id: number } }>('/api/conversations', { participantIds: [signedIn.user.id] })).body.conversation;
  conversationId = conversation.id;
  alertId = await newAlert('Room 3, please');
});

async function newAlert(text: string): Promise<number> {
  const sent = await api(server.url, smithToken).post<{ message: Message }>(`/api/conversations/${conversationId}/messages`, { text });
  return (server.context.db.prepare('SELECT id FROM alerts WHERE message_id = ?').get(sent.body.message.id) as { id: number }).id;
}
afterAll(async () => {
  await server?.close();
  await redis?.stop();
});

describe('the receipts endpoint', () => {
  it('refuses a cookie session from another site or another origin of the same site, and records nothing', async () => {
    const attempts: Record<string, string>[] = [
      { origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' },
      { origin: 'http://127.0.0.1:1', 'sec-fetch-site': 'same-site' },
      { origin: 'http://evil.example' },
      { origin: 'null' },
    ];
    for (const headers of attempts) {
      const response = await post({ cookie: jones.cookie, ...headers }, shown());
      expect(response.status, JSON.stringify(headers)).toBe(403);
      expect(await errorCode(response)).toBe('forbidden');
      expect(response.headers.get('cache-control')).toBe('no-store');
    }
    expect(receiptRows()).toBe(0);
  });

  it('answers without a session 401, a body that is not JSON 400, one over 64 kB 413, a bad report 400 — all no-store, nothing recorded', async () => {
    const noSession = await post({}, shown());
    expect([noSession.status, await errorCode(noSession)]).toEqual([401, 'unauthorized']);
    const bearer = { authorization: `Bearer ${jones.token}` };
    const notJson = await post(bearer, '{"desk":');
    expect([notJson.status, await errorCode(notJson)]).toEqual([400, 'invalid_json']);
    const scalar = await post(bearer, '42');
    expect([scalar.status, await errorCode(scalar)]).toEqual([400, 'invalid_json']);
    const huge = await post(bearer, JSON.stringify({ desk: DESK, receipts: [], padding: 'x'.repeat(70_000) }));
    expect([huge.status, await errorCode(huge)]).toEqual([413, 'payload_too_large']);
    const invalid = await post(bearer, JSON.stringify({ desk: DESK, receipts: [{ alertId, state: 'seen' }] }));
    expect([invalid.status, await errorCode(invalid)]).toEqual([400, 'validation_failed']);
    for (const response of [noSession, notJson, scalar, huge, invalid]) {
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    }
    expect(receiptRows()).toBe(0);
  });

  it('records a report from the page itself and from an allowed origin with its CORS headers, and from a bearer token', async () => {
    const page = await post({ cookie: jones.cookie, 'sec-fetch-site': 'same-origin' }, shown());
    expect(page.status).toBe(200);
    expect(await page.json()).toEqual({ recorded: 2, nextReportInMs: 0 });
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.headers.get('access-control-allow-origin')).toBeNull();

    const otherDesk = JSON.stringify({ desk: { id: 'desk-endpoint-0002', name: 'Laptop' }, receipts: [{ alertId, state: 'delivered' }] });
    const allowed = await post({ cookie: jones.cookie, origin: PAGE_ORIGIN, 'sec-fetch-site': 'cross-site' }, otherDesk);
    expect(allowed.status).toBe(200);
    expect(await allowed.json()).toEqual({ recorded: 1, nextReportInMs: 0 });
    expect(allowed.headers.get('access-control-allow-origin')).toBe(PAGE_ORIGIN);
    expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');

    const again = await post({ authorization: `Bearer ${jones.token}`, origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' }, shown());
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ recorded: 0, nextReportInMs: 0 });
    expect(receiptRows()).toBe(3);
  });

  it('shows the sender a desk’s new name from its first report after a rename', async () => {
    const bearer = { authorization: `Bearer ${jones.token}` };
    const desk = { id: 'desk-endpoint-0005', name: 'Bay 4 PC' };
    const first = await newAlert('First');
    expect((await post(bearer, JSON.stringify({ desk, receipts: [{ alertId: first, state: 'shown' }] }))).status).toBe(200);
    const second = await newAlert('Second');
    const renamed = { ...desk, name: 'Bay 4 nurses’ station' };
    expect((await post(bearer, JSON.stringify({ desk: renamed, receipts: [{ alertId: second, state: 'shown' }] }))).status).toBe(200);
    const status = await api(server.url, smithToken).get<{ alert: AlertStatus }>(`/api/alerts/${second}`);
    expect(status.body.alert.recipients[0]?.desks.map((entry) => entry.deskName)).toEqual([renamed.name]);
  });

  it('leaves to the API what it does not read itself, which records it the same way', async () => {
    const withQuery = await post({ authorization: `Bearer ${jones.token}` }, JSON.stringify({ desk: { id: 'desk-endpoint-0003', name: 'Tablet' }, receipts: [{ alertId, state: 'shown' }] }), '/api/alerts/receipts?from=tablet');
    expect(withQuery.status).toBe(200);
    expect(await withQuery.json()).toEqual({ recorded: 2, nextReportInMs: 0 });
    const latin1 = await post(
      { authorization: `Bearer ${jones.token}`, 'content-type': 'application/json; charset=latin1' },
      JSON.stringify({ desk: DESK, receipts: [{ alertId, state: 'shown' }] }),
    );
    expect(latin1.status).toBe(415);
    const ownOrigin = await post({ cookie: jones.cookie, origin: server.url }, JSON.stringify({ desk: { id: 'desk-endpoint-0004', name: 'Kiosk' }, receipts: [{ alertId, state: 'shown' }] }));
    expect(ownOrigin.status).toBe(200);
    expect(await ownOrigin.json()).toEqual({ recorded: 2, nextReportInMs: 0 });
  });

  // Last in this file: the process then counts these desks for the pacing's 8 s.
  it('asks each desk to wait before its next report once more desks report than the server wants to answer', async () => {
    const report = (desk: number) =>
      post(
        { authorization: `Bearer ${jones.token}` },
        JSON.stringify({ desk: { id: `desk-paced-${String(desk).padStart(4, '0')}`, name: `Desk ${desk}` }, receipts: [{ alertId, state: 'shown' }] }),
      );
    const waits: number[] = [];
    // receipt-pacing.ts: 1,000 reports a second at most; 300 desks each once a second would be 300.
    // Twenty at a time: one after the other, each waits out the receipts' commit window, and on a
    // busy machine the first desks had left the pacing's 8 s before the last reported.
    for (let first = 0; first < 300; first += 20) {
      const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => report(first + i)));
      for (const answer of answers) {
        expect(answer.status).toBe(200);
        waits.push(((await answer.json()) as { nextReportInMs: number }).nextReportInMs);
      }
    }
    expect(waits.slice(0, 200).every((wait) => wait === 0)).toBe(true);
    // The last reports judged count every desk, the earlier tests' few too: a spacing of 300 ms
    // and a little more, each desk's wait drawn from half to one and a half times that.
    const lastWaits = waits.slice(-20);
    expect(Math.min(...lastWaits)).toBeGreaterThanOrEqual(150);
    expect(Math.max(...lastWaits)).toBeLessThan(480);
    expect(new Set(lastWaits).size).toBeGreaterThan(1);
  });
});
