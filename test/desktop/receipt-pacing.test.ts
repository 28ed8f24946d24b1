import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ReportedReceipt } from '../../common/alerts.js';
import { DeskReceipts } from '../../main/alerts/desk-receipts.js';
import type { HttpFetch } from '../../main/stream/http-fetch.js';
import { ManualClock } from './support/manual-clock.js';

/**
 * The desk's receipts against a stand-in for the server's answers (the real server's pacing is
 * test/server/alerts/receipt-pacing.test.ts; its answers, receipts-endpoint.test.ts).
 */
let dataDirectory: string;
let reports: number[][];
let pause: number;
const clock = () => new ManualClock();

const answeringFetch: HttpFetch = async (_url, init) => {
  const { receipts } = JSON.parse(String(init.body)) as { receipts: ReportedReceipt[] };
  reports.push(receipts.map((receipt) => receipt.alertId));
  return new Response(JSON.stringify({ recorded: receipts.length * 2, nextReportInMs: pause }), {
    status: 200,
    headers: { 'content-type': 'application/json' },
  });
};

/** Lets the report's fetch and its file write finish. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));
const routine = (receipts: ReportedReceipt[]) => receipts.map((receipt) => ({ receipt, priority: 'routine' as const }));
const urgent = (receipts: ReportedReceipt[]) => receipts.map((receipt) => ({ receipt, priority: 'urgent' as const }));

beforeEach(() => {
  dataDirectory = mkdtempSync(join(tmpdir(), 'clinicpulse-receipt-pacing-'));
  reports = [];
  pause = 0;
});
afterEach(() => rmSync(dataDirectory, { recursive: true, force: true }));

function openReceipts(time: ManualClock, fetch: HttpFetch = answeringFetch) {
  return DeskReceipts.open({
    serverUrl: 'http://127.0.0.1:1',
    token: 'token',
    userId: 7,
    dataDirectory,
    desk: { id: 'desk-pacing-0001', name: 'Ward PC' },
    fetch,
    clock: time,
    flushMs: 500,
  });
}

describe("the desk's receipts, reported in batches the server paces", () => {
  it('waits as long as the answer asked before the next report, and gathers meanwhile', async () => {
    const time = clock();
    const receipts = await openReceipts(time);
    pause = 3_000;
    await receipts.addAll(routine([{ alertId: 1, state: 'shown' }]));
    time.advance(500);
    await settle();
    expect(reports).toEqual([[1]]);

    pause = 0;
    await receipts.addAll(routine([{ alertId: 2, state: 'shown' }]));
    time.advance(1_000);
    await receipts.addAll(routine([{ alertId: 3, state: 'shown' }]));
    time.advance(1_999);
    await settle();
    expect(reports).toEqual([[1]]);
    time.advance(1);
    await settle();
    expect(reports).toEqual([[1], [2, 3]]);

    await receipts.addAll(routine([{ alertId: 4, state: 'shown' }]));
    time.advance(500);
    await settle();
    expect(reports).toEqual([[1], [2, 3], [4]]);
    await receipts.stop();
  });

  it("reports an urgent alert's receipts once gathered, with what waited, even during a pause", async () => {
    const time = clock();
    const receipts = await openReceipts(time);
    pause = 10_000;
    await receipts.addAll(routine([{ alertId: 1, state: 'shown' }]));
    time.advance(500);
    await settle();
    expect(reports).toEqual([[1]]);

    await receipts.addAll(routine([{ alertId: 2, state: 'shown' }]));
    time.advance(2_000);
    await settle();
    expect(reports).toEqual([[1]]);
    await receipts.addAll(urgent([{ alertId: 3, state: 'held', reason: 'notifications_denied' }]));
    time.advance(499);
    await settle();
    expect(reports).toEqual([[1]]);
    time.advance(1);
    await settle();
    expect(reports).toEqual([[1], [2, 3]]);

    // What is routine again waits for the pause the last answer asked for.
    await receipts.addAll(routine([{ alertId: 4, state: 'shown' }]));
    time.advance(9_999);
    await settle();
    expect(reports).toEqual([[1], [2, 3]]);
    time.advance(1);
    await settle();
    expect(reports).toEqual([[1], [2, 3], [4]]);
    await receipts.stop();
  });

  it('drops only the oldest when it overflows while a report is on its way, and reports the rest', async () => {
    const time = clock();
    let answerFirst: () => void = () => undefined;
    const firstAnswered = new Promise<void>((resolve) => (answerFirst = resolve));
    let calls = 0;
    const slowFirstFetch: HttpFetch = async (url, init) => {
      if (calls++ === 0) await firstAnswered;
      return answeringFetch(url, init);
    };
    const receipts = await openReceipts(time, slowFirstFetch);
    const shown = (from: number, count: number) =>
      Array.from({ length: count }, (_, i) => ({ alertId: from + i, state: 'shown' as const }));
    // A long outage's worth: as many as are kept.
    await receipts.addAll(routine(shown(1, 5_000)));
    time.advance(500);
    await settle();
    // While the first 500 are on their way, ten more: the ten oldest go.
    await receipts.addAll(routine(shown(5_001, 10)));
    answerFirst();
    for (let i = 0; i < 20 && reports.flat().length < 5_010; i++) {
      time.advance(0);
      await settle();
    }
    const reported = reports.flat();
    expect(reported.slice(0, 500)).toEqual(shown(1, 500).map((receipt) => receipt.alertId));
    expect(new Set(reported)).toEqual(new Set(shown(1, 5_010).map((receipt) => receipt.alertId)));
    await receipts.stop();
  });
});

