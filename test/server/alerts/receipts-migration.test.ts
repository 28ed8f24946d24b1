import BetterSqlite3 from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AlertStatusReader } from '../../../server/alerts/alert-status-reader.js';
import { AuditStore } from '../../../server/alerts/audit-store.js';
import { ReceiptWriter } from '../../../server/alerts/receipt-writer.js';
import { migrate } from '../../../server/db/database.js';
import { PostgresDatabase } from '../../../server/db/postgres/postgres-database.js';
import type { SqlDatabase } from '../../../server/db/sql-database.js';
import { SqliteDatabase } from '../../../server/db/sqlite-database.js';
import { postgresDatabase, postgresUnavailable } from '../../support/test-server.js';

/** The migration that turned one row per state into one row per desk. */
const ONE_ROW_PER_DESK = 69;

const T = {
  delivered: '2026-12-04T10:42:01.123Z',
  deliveredAtTheFront: '2026-12-04T10:42:01.200Z',
  shown: '2026-12-04T10:42:01.456Z',
  held: '2026-12-04T10:42:02.001Z',
  read: '2026-12-04T10:43:10.999Z',
  acknowledged: '2026-12-04T10:44:00.000Z',
};

/**
 * Brings `db` to the version before ONE_ROW_PER_DESK with the real migrations (that one marked
 * as applied meanwhile, so it is skipped), then forgets the mark, so the next migrate() runs it.
 */
function migrateToTheVersionBefore(db: SqlDatabase): void {
  db.exec(`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT 'test')`);
  db.prepare('INSERT INTO schema_migrations (version, name) VALUES (?, ?)').run(ONE_ROW_PER_DESK, 'held back by the test');
  migrate(db);
  db.prepare('DELETE FROM schema_migrations WHERE version = ?').run(ONE_ROW_PER_DESK);
}

/** Two recipients' receipts of one alert as the old table held them; returns the alert's id. */
function oldReceipts(db: SqlDatabase): { alertId: number; nurse: number; doctor: number } {
  const user = db.prepare<[string, string], number>(
    `INSERT INTO users (username, display_name, role, password_hash) VALUES (?, ?, 'nurse', 'x') RETURNING id`,
  ).pluck();
  const nurse = user.get('jones', 'Nurse Ben Jones') as number;
  const doctor = user.get('patel', 'Dr Asha Patel') as number;
  const alertId = db
    .prepare<[string], number>(`INSERT INTO alerts (kind, priority, summary, created_at) VALUES ('notice', 'urgent', 'Fire drill', ?) RETURNING id`)
    .pluck()
    .get('2026-12-04T10:42:00.000Z') as number;
  db.prepare('INSERT INTO alert_recipients (alert_id, user_id) VALUES (?, ?), (?, ?)').run(alertId, nurse, alertId, doctor);
  db.prepare('INSERT INTO desks (id, name, last_user_id, last_seen_at) VALUES (?, ?, ?, ?), (?, ?, ?, ?)').run(
    'desk-ward-pc-0001', "Nurses' station PC", nurse, T.shown,
    'desk-front-0002', 'Front desk', nurse, T.held,
  );
  const receipt = db.prepare<[number, number, string, string, string | null, number | null, string]>(
    'INSERT INTO alert_receipts (alert_id, user_id, desk_id, state, reason, event_id, at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  receipt.run(alertId, nurse, 'desk-ward-pc-0001', 'delivered', null, 7, T.delivered);
  receipt.run(alertId, nurse, 'desk-ward-pc-0001', 'shown', 'over_do_not_disturb', 7, T.shown);
  receipt.run(alertId, nurse, 'desk-front-0002', 'delivered', null, 8, T.deliveredAtTheFront);
  receipt.run(alertId, nurse, 'desk-front-0002', 'held', 'do_not_disturb', 8, T.held);
  receipt.run(alertId, nurse, '', 'read', null, null, T.read);
  // A desk that acknowledged without ever reporting a receipt has no row in desks.
  receipt.run(alertId, doctor, 'desk-never-reported', 'acknowledged', null, null, T.acknowledged);
  return { alertId, nurse, doctor };
}

async function keepsEveryFact(db: SqlDatabase): Promise<void> {
  migrateToTheVersionBefore(db);
  const { alertId, nurse, doctor } = oldReceipts(db);
  expect(migrate(db)).toEqual([ONE_ROW_PER_DESK]);

  const fact = (displayName: string, deskName: string | null, state: string, reason: string | null, at: string) => ({
    at,
    userId: displayName === 'Nurse Ben Jones' ? nurse : doctor,
    displayName,
    deskName,
    state,
    reason,
  });
  expect(new AuditStore(db).log(alertId)).toEqual([
    fact('Nurse Ben Jones', "Nurses' station PC", 'delivered', null, T.delivered),
    fact('Nurse Ben Jones', 'Front desk', 'delivered', null, T.deliveredAtTheFront),
    fact('Nurse Ben Jones', "Nurses' station PC", 'shown', 'over_do_not_disturb', T.shown),
    fact('Nurse Ben Jones', 'Front desk', 'held', 'do_not_disturb', T.held),
    fact('Nurse Ben Jones', null, 'read', null, T.read),
    fact('Dr Asha Patel', 'Unnamed desk', 'acknowledged', null, T.acknowledged),
  ]);

  const status = new AlertStatusReader(db).status(alertId, 'recipients');
  expect(status?.counts).toEqual({ recipients: 2, delivered: 1, shown: 1, held: 0, read: 1 });
  const jones = status?.recipients.find((person) => person.userId === nurse);
  expect(jones).toMatchObject({ deliveredAt: T.delivered, readAt: T.read, acknowledgedAt: null });
  expect(jones?.desks).toEqual([
    { deskId: 'desk-ward-pc-0001', deskName: "Nurses' station PC", deliveredAt: T.delivered, shownAt: T.shown, overDoNotDisturb: true, heldAt: null, heldReason: null },
    { deskId: 'desk-front-0002', deskName: 'Front desk', deliveredAt: T.deliveredAtTheFront, shownAt: null, overDoNotDisturb: false, heldAt: T.held, heldReason: 'do_not_disturb' },
  ]);
  expect(status?.recipients.find((person) => person.userId === doctor)).toMatchObject({ deliveredAt: null, acknowledgedAt: T.acknowledged, desks: [] });

  // Desks added after the migration get numbers of their own, and a state is still recorded once.
  const writer = new ReceiptWriter(db);
  const report = { userId: doctor, desk: { id: 'desk-consult-0003', name: 'Consulting room 3' }, receipts: [{ alertId, state: 'shown' as const }] };
  expect(await writer.record(report)).toEqual({ recorded: 2, alertIds: [alertId] });
  expect(await writer.record({ ...report, desk: { id: 'desk-never-reported', name: "Dr Patel's laptop" } })).toEqual({ recorded: 2, alertIds: [alertId] });
  expect(await writer.record(report)).toEqual({ recorded: 0, alertIds: [] });
  const desks = db.prepare<[], { id: string; name: string | null; number: number }>('SELECT id, name, number FROM desks ORDER BY id').all();
  expect(desks.map((desk) => [desk.id, desk.name])).toEqual([
    ['desk-consult-0003', 'Consulting room 3'],
    ['desk-front-0002', 'Front desk'],
    ['desk-never-reported', "Dr Patel's laptop"],
    ['desk-ward-pc-0001', "Nurses' station PC"],
  ]);
  expect(new Set(desks.map((desk) => desk.number)).size).toBe(4);
  expect(new AlertStatusReader(db).status(alertId, 'summary')?.counts).toEqual({ recipients: 2, delivered: 2, shown: 2, held: 0, read: 1 });
}

describe('receipts kept one row per desk (migration 69)', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('keeps every fact of the old rows, with its desk, reason and time, on SQLite', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'clinicpulse-receipts-'));
    dirs.push(dir);
    const native = new BetterSqlite3(join(dir, 'clinicpulse.db'));
    native.pragma('journal_mode = WAL');
    native.pragma('foreign_keys = ON');
    const db = new SqliteDatabase(native);
    try {
      await keepsEveryFact(db);
    } finally {
      db.close();
    }
  });

  const unavailable = postgresUnavailable();
  it.skipIf(unavailable !== null)(`keeps every fact of the old rows on PostgreSQL${unavailable ? ` (skipped: ${unavailable})` : ''}`, async () => {
    const db = new PostgresDatabase(postgresDatabase());
    try {
      await keepsEveryFact(db);
    } finally {
      db.close();
    }
  });
});
