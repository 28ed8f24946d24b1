import { receiptReport, type ReceiptReportResponse } from '../../common/alerts.js';
import type { ServerContext } from '../context.js';
import type { RequestListener } from '../events/event-stream-endpoint.js';
import { AfterIoQueue } from '../http/after-io-queue.js';
import { bareJsonEndpoint, isExactPath } from '../http/bare-json-endpoint.js';
import { parseInput } from '../http/errors.js';
import { alertStatusPublisherFor } from './alert-status-publisher.js';
import { receiptPacingFor } from './receipt-pacing.js';
import { ReceiptWriter } from './receipt-writer.js';

export const RECEIPTS_PATH = '/api/alerts/receipts';

/**
 * How long reports are read and judged per turn of the event loop before streams' events and
 * Redis replies get theirs: a report is bookkeeping, the events it reports on are not.
 */
const REPORTS_SLICE_MS = 2;

const writers = new WeakMap<ServerContext, ReceiptWriter>();

/** The context's one receipt writer, so every report of the process joins the same group commit. */
function receiptWriterFor(ctx: ServerContext): ReceiptWriter {
  let writer = writers.get(ctx);
  if (!writer) {
    writer = new ReceiptWriter(ctx.db);
    writers.set(ctx, writer);
  }
  return writer;
}

/** Records a desk's report for the signed-in user and tells the senders; throws HttpError (400, 404). */
export async function recordReceiptReport(ctx: ServerContext, userId: number, body: unknown): Promise<ReceiptReportResponse> {
  const report = parseInput(receiptReport, body, 'receipt report');
  const result = await receiptWriterFor(ctx).record({ userId, desk: report.desk, receipts: report.receipts });
  alertStatusPublisherFor(ctx).touch(result.alertIds);
  return { recorded: result.recorded, nextReportInMs: receiptPacingFor(ctx).spacingAfterReport(`${userId}:${report.desk.id}`) };
}

/**
 * `POST /api/alerts/receipts`, answered before Express (http/bare-json-endpoint.ts). Every desk
 * reports every event it receives, in batches of 300–500 ms: at one event a second per desk that
 * is one request per event, the API's busiest request by far (5,000 a second in bench scenario 9
 * before the server spaced them out, receipt-pacing.ts). Reports are judged after the turn's
 * I/O, a few milliseconds of them a turn. What this path leaves to Express, the route in
 * alert-routes.ts records the same way.
 */
export function createReceiptsEndpoint(ctx: ServerContext): RequestListener {
  const reports = new AfterIoQueue(REPORTS_SLICE_MS, (error) => ctx.logger.error({ err: error }, 'receipt report not handled'));
  return bareJsonEndpoint(ctx, {
    method: 'POST',
    match: (url) => (isExactPath(url, RECEIPTS_PATH) ? {} : null),
    handle: async (user, body) => ({ status: 200, body: await recordReceiptReport(ctx, user.id, body) }),
    schedule: (job) => reports.push(job),
  });
}
