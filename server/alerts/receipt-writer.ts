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

/** What a desk's row was written with (`at`: ms), and its number. */
interface WrittenDesk {
  number: number;
  name: string;
  userId: number;
  at: number;
}

/** The states a desk's row holds already (epoch ms). */
interface RecordedStates {
  delivered_at: number | null;
  shown_at: number | null;
  held_at: number | null;
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
 * per report, and each alert's version grows once per commit. A desk's row (its name, for the
 * sender's status, and the number its receipts carry) is written when it changed or once a
 * minute, not with every report. One desk's states of one alert are one row (desk_receipts).
 * Each batch is all or nothing: an alert not addressed to the reporting user rejects that batch
 * with 404 and records none of it, while the other batches of the commit go through.
 * A state already recorded for that alert, user and desk is left as it was (its first time
 * stands), and `shown` or `held` also records `delivered`, which it implies. A commit never
 * waits for another process's write lock on the event loop: it is tried again a moment later.
 */
export class ReceiptWriter {
  private readonly alerts: AlertStore;
  private readonly upsertDesk: SqlStatement<[string, string, number, string], number>;
  private readonly recordedStates: SqlStatement<[number, number, number], RecordedStates>;
  private readonly insertStates: SqlStatement<[number, number, number, number | null, number, number | null, number, number | null, string | null]>;
  private readonly addStates: SqlStatement<[number | null, number | null, number | null, number, number | null, string | null, number, number, number]>;
  private readonly bumpVersion: SqlStatement<[number]>;
  private readonly commits: GroupCommit<ReceiptBatch, RecordedBatch>;
  /** Desk id → what its row was last written with, by this process. */
  private readonly desksWritten = new Map<string, WrittenDesk>();

  constructor(db: SqlDatabase) {
    this.alerts = new AlertStore(db);
    this.upsertDesk = db
      .prepare<[string, string, number, string], number>(
        `INSERT INTO desks (id, name, last_user_id, last_seen_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, last_user_id = excluded.last_user_id, last_seen_at = excluded.last_seen_at
         RETURNING number`,
      )
      .pluck();
    this.recordedStates = db.prepare('SELECT delivered_at, shown_at, held_at FROM desk_receipts WHERE alert_id = ? AND user_id = ? AND desk = ?');
    this.insertStates = db.prepare(
      `INSERT INTO desk_receipts (alert_id, user_id, desk, event_id, delivered_at, shown_at, shown_over_dnd, held_at, held_reason)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    // On the right of SET a column is its value before the update: only a state not yet there is written.
    this.addStates = db.prepare(
      `UPDATE desk_receipts SET event_id = coalesce(event_id, ?), delivered_at = coalesce(delivered_at, ?), shown_at = coalesce(shown_at, ?),
              shown_over_dnd = CASE WHEN shown_at IS NULL THEN ? ELSE shown_over_dnd END,
              held_at = coalesce(held_at, ?), held_reason = CASE WHEN held_at IS NULL THEN ? ELSE held_reason END
        WHERE alert_id = ? AND user_id = ? AND desk = ?`,
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
    const now = at.getTime();
    const { id: deskId, name } = batch.desk;
    let written = desks.get(deskId) ?? this.desksWritten.get(deskId);
    if (!written || written.name !== name || written.userId !== batch.userId || now - written.at >= DESK_REFRESH_MS) {
      written = { number: this.upsertDesk.get(deskId, name, batch.userId, at.toISOString()) as number, name, userId: batch.userId, at: now };
      desks.set(deskId, written);
    }
    const desk = written.number;
    let recorded = 0;
    const touched = new Set<number>();
    for (const receipt of batch.receipts) {
      const shown = receipt.state === 'shown' ? now : null;
      const overDoNotDisturb = receipt.overDoNotDisturb ? 1 : 0;
      const held = receipt.state === 'held' ? now : null;
      const reason = receipt.reason ?? null;
      const eventId = receipt.eventId ?? null;
      const before = this.recordedStates.get(receipt.alertId, batch.userId, desk);
      let added: number;
      if (!before) {
        this.insertStates.run(receipt.alertId, batch.userId, desk, eventId, now, shown, overDoNotDisturb, held, reason);
        added = receipt.state === 'delivered' ? 1 : 2;
      } else {
        added = (before.delivered_at === null ? 1 : 0) + (shown !== null && before.shown_at === null ? 1 : 0) + (held !== null && before.held_at === null ? 1 : 0);
        if (added > 0) this.addStates.run(eventId, now, shown, overDoNotDisturb, held, reason, receipt.alertId, batch.userId, desk);
      }
      if (added === 0) continue;
      recorded += added;
      touched.add(receipt.alertId);
    }
    return { ok: { recorded, alertIds: [...touched] } };
  }
}
