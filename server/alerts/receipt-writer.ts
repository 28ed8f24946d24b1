import { GroupCommit, type GroupCommitWrite, type Settled } from '../db/group-commit.js';
import type { SqlDatabase, SqlStatement } from '../db/sql-database.js';
import type { Desk, ReportedReceipt } from '../../common/alerts.js';
import { HttpError } from '../http/errors.js';
import { AlertStore } from './alert-store.js';

export interface ReceiptBatch {
  userId: number;
  desk: Desk;
  receipts: readonly ReportedReceipt[];
}

export interface RecordedBatch {
  recorded: number;
  /** Alerts that gained a fact: their senders get a status update. */
  alertIds: number[];
}

/** What a desk's row was written with (`at`: ms). */
interface WrittenDesk {
  name: string;
  userId: number;
  at: number;
}

/** How many waiting batches one transaction takes at most, so one commit never grows unbounded. */
const MAX_BATCHES_PER_COMMIT = 500;
/**
 * At most one commit per this many ms: a batch that arrives sooner after the last commit waits
 * for the others of the window. Every desk reports every event, so at thousands of events a
 * second reports arrive one per turn of the event loop, and committing each alone wrote its
 * pages to the WAL (and checkpointed them) once per report.
 */
const COMMIT_WINDOW_MS = 10;
/** A desk's row is written again when its name or user changed, or this long after the last write. */
const DESK_REFRESH_MS = 60_000;
/** Desks remembered as written; past this many the memory starts afresh. */
const MAX_REMEMBERED_DESKS = 50_000;

/**
 * Records desks' receipt reports. A lone report commits at once; under load every batch that
 * arrives within COMMIT_WINDOW_MS of the last commit joins the next one (a group commit): at
 * thousands of reports a second SQLite commits about a hundred times a second instead of once
 * per report, and each alert's version grows once per commit. A desk's row (its name, for the sender's status) is written when it
 * changed or once a minute, not with every report. Each batch is all or nothing: an alert not addressed to the reporting user rejects that
 * batch with 404 and records none of it, while the other batches of the commit go through.
 * A state already recorded for that alert, user and desk is left as it was (its first time
 * stands), and `shown` or `held` also records `delivered`, which it implies. A commit never
 * waits for another process's write lock on the event loop: it is tried again a moment later.
 */
export class ReceiptWriter {
  private readonly alerts: AlertStore;
  private readonly upsertDesk: SqlStatement<[string, string, number, string]>;
  private readonly insertReceipt: SqlStatement<[number, number, string, string, string | null, number | null, string]>;
  private readonly bumpVersion: SqlStatement<[number]>;
  private readonly commits: GroupCommit<ReceiptBatch, RecordedBatch>;
  /** Desk id → what its row was last written with, by this process. */
  private readonly desksWritten = new Map<string, WrittenDesk>();

  constructor(db: SqlDatabase) {
    this.alerts = new AlertStore(db);
    this.upsertDesk = db.prepare(
      `INSERT INTO desks (id, name, last_user_id, last_seen_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, last_user_id = excluded.last_user_id, last_seen_at = excluded.last_seen_at`,
    );
    this.insertReceipt = db.prepare(
      `INSERT INTO alert_receipts (alert_id, user_id, desk_id, state, reason, event_id, at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    );
    this.bumpVersion = db.prepare('UPDATE alerts SET version = version + 1 WHERE id = ?');
    this.commits = new GroupCommit(db, { windowMs: COMMIT_WINDOW_MS, maxPerCommit: MAX_BATCHES_PER_COMMIT, write: (batches) => this.write(batches) });
  }

  record(batch: ReceiptBatch): Promise<RecordedBatch> {
    return this.commits.add(batch);
  }

  private write(batches: readonly ReceiptBatch[]): GroupCommitWrite<RecordedBatch> {
    const now = new Date();
    const desks = new Map<string, WrittenDesk>();
    const touched = new Set<number>();
    const outcomes: Settled<RecordedBatch>[] = batches.map((batch) => {
      const outcome = this.apply(batch, now, desks);
      if ('ok' in outcome) for (const alertId of outcome.ok.alertIds) touched.add(alertId);
      return outcome;
    });
    for (const alertId of touched) this.bumpVersion.run(alertId);
    return {
      outcomes,
      // Remembered only once committed: a rolled-back write is written again next time.
      committed: () => {
        if (this.desksWritten.size + desks.size > MAX_REMEMBERED_DESKS) this.desksWritten.clear();
        for (const [id, written] of desks) this.desksWritten.set(id, written);
      },
    };
  }

  private apply(batch: ReceiptBatch, at: Date, desks: Map<string, WrittenDesk>): Settled<RecordedBatch> {
    const ids = batch.receipts.map((receipt) => receipt.alertId);
    const addressed = this.alerts.addressedToUser(batch.userId, ids);
    const unknown = [...new Set(ids.filter((id) => !addressed.has(id)))];
    if (unknown.length > 0) {
      const shown = unknown.slice(0, 20).join(', ') + (unknown.length > 20 ? ', …' : '');
      return { failed: new HttpError(404, 'not_found', `receipts: no alert ${shown} is addressed to you; nothing was recorded`) };
    }
    const now = at.toISOString();
    const { id: deskId, name } = batch.desk;
    const written = desks.get(deskId) ?? this.desksWritten.get(deskId);
    if (!written || written.name !== name || written.userId !== batch.userId || at.getTime() - written.at >= DESK_REFRESH_MS) {
      this.upsertDesk.run(deskId, name, batch.userId, now);
      desks.set(deskId, { name, userId: batch.userId, at: at.getTime() });
    }
    let recorded = 0;
    const touched = new Set<number>();
    const insert = (receipt: ReportedReceipt, state: string, reason: string | null): void => {
      const changes = this.insertReceipt.run(receipt.alertId, batch.userId, batch.desk.id, state, reason, receipt.eventId ?? null, now).changes;
      if (changes === 0) return;
      recorded += changes;
      touched.add(receipt.alertId);
    };
    for (const receipt of batch.receipts) {
      if (receipt.state !== 'delivered') insert(receipt, 'delivered', null);
      const reason = receipt.state === 'held' ? (receipt.reason ?? null) : receipt.overDoNotDisturb ? 'over_do_not_disturb' : null;
      insert(receipt, receipt.state, reason);
    }
    return { ok: { recorded, alertIds: [...touched] } };
  }
}
