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

interface Pending {
  batch: ReceiptBatch;
  resolve(result: RecordedBatch): void;
  reject(error: unknown): void;
}

/** How many waiting batches one transaction takes at most, so one commit never grows unbounded. */
const MAX_BATCHES_PER_COMMIT = 500;

/**
 * Records desks' receipt reports. Every batch that arrives while the event loop is busy joins
 * one transaction (a group commit): at thousands of reports a second SQLite commits a few
 * hundred times a second instead of once per report, and a lone report still commits at once.
 * Each batch is all or nothing: an alert not addressed to the reporting user rejects that
 * batch with 404 and records none of it, while the other batches of the commit go through.
 * A state already recorded for that alert, user and desk is left as it was (its first time
 * stands), and `shown` or `held` also records `delivered`, which it implies.
 */
export class ReceiptWriter {
  private readonly alerts: AlertStore;
  private readonly upsertDesk: SqlStatement<[string, string, number, string]>;
  private readonly insertReceipt: SqlStatement<[number, number, string, string, string | null, number | null, string]>;
  private readonly bumpVersion: SqlStatement<[number]>;
  private pending: Pending[] = [];
  private scheduled = false;

  constructor(private readonly db: SqlDatabase) {
    this.alerts = new AlertStore(db);
    this.upsertDesk = db.prepare(
      `INSERT INTO desks (id, name, last_user_id, last_seen_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, last_user_id = excluded.last_user_id, last_seen_at = excluded.last_seen_at`,
    );
    this.insertReceipt = db.prepare(
      `INSERT INTO alert_receipts (alert_id, user_id, desk_id, state, reason, event_id, at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    );
    this.bumpVersion = db.prepare('UPDATE alerts SET version = version + 1 WHERE id = ?');
  }

  record(batch: ReceiptBatch): Promise<RecordedBatch> {
    return new Promise((resolve, reject) => {
      this.pending.push({ batch, resolve, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      setImmediate(() => this.commit());
    });
  }

  private commit(): void {
    const taken = this.pending.splice(0, MAX_BATCHES_PER_COMMIT);
    this.scheduled = this.pending.length > 0;
    if (this.scheduled) setImmediate(() => this.commit());
    const outcomes: ({ ok: RecordedBatch } | { refused: HttpError })[] = [];
    try {
      this.db.transaction(() => {
        for (const { batch } of taken) outcomes.push(this.apply(batch));
      }).immediate();
    } catch (error) {
      for (const { reject } of taken) reject(error);
      return;
    }
    taken.forEach(({ resolve, reject }, index) => {
      const outcome = outcomes[index];
      if (!outcome) reject(new Error('receipt batch lost its outcome'));
      else if ('refused' in outcome) reject(outcome.refused);
      else resolve(outcome.ok);
    });
  }

  private apply(batch: ReceiptBatch): { ok: RecordedBatch } | { refused: HttpError } {
    const ids = batch.receipts.map((receipt) => receipt.alertId);
    const addressed = this.alerts.addressedToUser(batch.userId, ids);
    const unknown = [...new Set(ids.filter((id) => !addressed.has(id)))];
    if (unknown.length > 0) {
      const shown = unknown.slice(0, 20).join(', ') + (unknown.length > 20 ? ', …' : '');
      return { refused: new HttpError(404, 'not_found', `receipts: no alert ${shown} is addressed to you; nothing was recorded`) };
    }
    const now = new Date().toISOString();
    this.upsertDesk.run(batch.desk.id, batch.desk.name, batch.userId, now);
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
    for (const alertId of touched) this.bumpVersion.run(alertId);
    return { ok: { recorded, alertIds: [...touched] } };
  }
}
