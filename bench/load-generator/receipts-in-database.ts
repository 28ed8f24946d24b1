import BetterSqlite3 from 'better-sqlite3';
import { join } from 'node:path';

export interface ReceiptRows {
  /** Rows per state for the alerts of one phase, on the bench desks. */
  delivered: number;
  shown: number;
  /** Rows of any other state, or on a desk that is not its user's (should be none). */
  other: number;
  /** (alert, user, desk, state) recorded more than once (should be none; the table forbids it). */
  repeated: number;
}

/**
 * Reads, after a phase, what the server's SQLite database holds for the alerts that phase
 * created (ids `firstAlertId`…`lastAlertId`): every receipt a desk reported must be there once
 * as `delivered` and once as `shown`, on the desk of the user it was reported for. Read-only,
 * beside the running server (WAL: a reader never blocks its writer).
 */
export function receiptRowsInDatabase(dataDir: string, firstAlertId: number, lastAlertId: number): ReceiptRows {
  const db = new BetterSqlite3(join(dataDir, 'clinicpulse.db'), { readonly: true, fileMustExist: true });
  try {
    const rows = db
      .prepare<[number, number], { state: string; own: number; rows: number }>(
        `SELECT rc.state, d.id = 'bench-desk-' || substr('0000' || (rc.user_id - 1), -5) AS own, count(*) AS rows
           FROM alert_receipt_facts rc LEFT JOIN desks d ON d.number = rc.desk
          WHERE rc.alert_id BETWEEN ? AND ? GROUP BY rc.state, own`,
      )
      .all(firstAlertId, lastAlertId);
    const repeated = db
      .prepare<[number, number], number>(
        `SELECT count(*) FROM (SELECT 1 FROM alert_receipt_facts WHERE alert_id BETWEEN ? AND ?
                                 GROUP BY alert_id, user_id, desk, state HAVING count(*) > 1)`,
      )
      .pluck()
      .get(firstAlertId, lastAlertId) as number;
    const result: ReceiptRows = { delivered: 0, shown: 0, other: 0, repeated };
    for (const row of rows) {
      if (row.own === 1 && row.state === 'delivered') result.delivered += row.rows;
      else if (row.own === 1 && row.state === 'shown') result.shown += row.rows;
      else result.other += row.rows;
    }
    return result;
  } finally {
    db.close();
  }
}
