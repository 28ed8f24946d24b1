import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Desk, ReceiptReportResponse, ReportedReceipt } from '../../common/alerts.js';
import { ApiError } from '../../renderer/src/api/api-error.js';
import { ReceiptQueue } from '../../renderer/src/alerts/receipt-queue.js';

const DESK: Desk = { id: 'desk-test-0001', name: 'Test desk' };
type Report = { desk: Desk; receipts: ReportedReceipt[] };

let sent: Report[];
let answer: (report: Report) => Promise<Partial<ReceiptReportResponse>>;

beforeEach(() => {
  vi.useFakeTimers();
  sent = [];
  answer = async () => ({ recorded: 1, nextReportInMs: 0 });
});
afterEach(() => vi.useRealTimers());

function queue() {
  const created = new ReceiptQueue({
    desk: () => DESK,
    send: (report) => {
      sent.push(report);
      return answer(report);
    },
    flushMs: 300,
    random: () => 1,
  });
  created.start();
  return created;
}

describe('the receipt queue of a browser page', () => {
  it('sends a burst as one report with the desk', async () => {
    const q = queue();
    for (let alertId = 1; alertId <= 3; alertId++) q.add({ alertId, state: 'shown' });
    await vi.advanceTimersByTimeAsync(299);
    expect(sent).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(sent).toEqual([
      { desk: DESK, receipts: [1, 2, 3].map((alertId) => ({ alertId, state: 'shown' })) },
    ]);
  });

  it('sends again what did not get through, after a growing wait', async () => {
    const q = queue();
    answer = () => Promise.reject(new ApiError(503, 'unavailable', 'busy'));
    q.add({ alertId: 1, state: 'delivered' });
    await vi.advanceTimersByTimeAsync(300);
    expect(sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(999);
    expect(sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(sent).toHaveLength(2);
    answer = async () => ({ recorded: 1, nextReportInMs: 0 });
    await vi.advanceTimersByTimeAsync(2_000);
    expect(sent).toHaveLength(3);
    expect(q.pending).toBe(0);
  });

  it('drops what the server refused, and stops when the session ended', async () => {
    const q = queue();
    answer = () => Promise.reject(new ApiError(404, 'not_found', 'no alert 9'));
    q.add({ alertId: 9, state: 'shown' });
    await vi.advanceTimersByTimeAsync(300);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sent).toHaveLength(1);
    expect(q.pending).toBe(0);

    answer = () => Promise.reject(new ApiError(401, 'unauthorized', 'sign in first'));
    q.add({ alertId: 1, state: 'shown' });
    await vi.advanceTimersByTimeAsync(300);
    q.add({ alertId: 2, state: 'shown' });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sent).toHaveLength(2);
  });

  it('waits as long as the server asked before its next report, gathering meanwhile', async () => {
    const q = queue();
    answer = async () => ({ recorded: 2, nextReportInMs: 3_000 });
    q.add({ alertId: 1, state: 'shown' });
    await vi.advanceTimersByTimeAsync(300);
    expect(sent).toHaveLength(1);

    q.add({ alertId: 2, state: 'shown' });
    await vi.advanceTimersByTimeAsync(1_000);
    q.add({ alertId: 3, state: 'shown' });
    await vi.advanceTimersByTimeAsync(1_999);
    expect(sent).toHaveLength(1);
    answer = async () => ({ recorded: 4, nextReportInMs: 0 });
    await vi.advanceTimersByTimeAsync(1);
    expect(sent.map((report) => report.receipts.map((receipt) => receipt.alertId))).toEqual([[1], [2, 3]]);

    q.add({ alertId: 4, state: 'shown' });
    await vi.advanceTimersByTimeAsync(300);
    expect(sent).toHaveLength(3);
  });

  it("reports an urgent alert's receipts once gathered, with what waited, even during a pause", async () => {
    const q = queue();
    answer = async () => ({ recorded: 2, nextReportInMs: 10_000 });
    q.add({ alertId: 1, state: 'shown' });
    await vi.advanceTimersByTimeAsync(300);
    expect(sent).toHaveLength(1);

    q.add({ alertId: 2, state: 'shown' });
    await vi.advanceTimersByTimeAsync(2_000);
    q.add({ alertId: 3, state: 'shown' }, 'urgent');
    await vi.advanceTimersByTimeAsync(299);
    expect(sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    const alertIds = () => sent.map((report) => report.receipts.map((receipt) => receipt.alertId));
    expect(alertIds()).toEqual([[1], [2, 3]]);

    // What is routine again waits for the pause the last answer asked for.
    q.add({ alertId: 4, state: 'shown' });
    await vi.advanceTimersByTimeAsync(9_999);
    expect(sent).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(alertIds()).toEqual([[1], [2, 3], [4]]);
  });

  it('keeps an urgent receipt urgent when its report did not get through', async () => {
    const q = queue();
    answer = async () => ({ recorded: 1, nextReportInMs: 10_000 });
    q.add({ alertId: 1, state: 'shown' });
    await vi.advanceTimersByTimeAsync(300);
    answer = () => Promise.reject(new ApiError(503, 'unavailable', 'busy'));
    q.add({ alertId: 2, state: 'shown' }, 'urgent');
    await vi.advanceTimersByTimeAsync(300);
    expect(sent).toHaveLength(2);
    answer = async () => ({ recorded: 1, nextReportInMs: 10_000 });
    // The first retry's wait (1 s), not the pause of 10 s.
    await vi.advanceTimersByTimeAsync(1_000);
    expect(sent).toHaveLength(3);
    expect(q.pending).toBe(0);
  });
});
