import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../server/db/database.js';
import { MIGRATIONS } from '../../server/db/schema.js';
import { DEMO_USERS, loadDemoData } from '../../server/demo-data.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'clinicpulse-db-'));
  dirs.push(dir);
  return join(dir, 'nested', 'clinicpulse.db');
}

describe('openDatabase', () => {
  it('creates the file, applies every migration once and records it', () => {
    const file = tempFile();
    const first = openDatabase(file);
    const versions = first
      .prepare('SELECT version FROM schema_migrations ORDER BY version')
      .pluck()
      .all();
    expect(versions).toEqual(MIGRATIONS.map((migration) => migration.version));
    first.close();
    const again = openDatabase(file);
    expect(again.prepare('SELECT count(*) FROM schema_migrations').pluck().get()).toBe(
      MIGRATIONS.length,
    );
    again.close();
  });

  it('uses WAL, enforces foreign keys, waits for locks and keeps temporary journals in memory', () => {
    const db = openDatabase(tempFile());
    expect(db.native.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.native.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(Number(db.native.pragma('busy_timeout', { simple: true }))).toBeGreaterThan(0);
    // MEMORY: a group commit's savepoint journals stay off the disk (server/db/database.ts).
    expect(db.native.pragma('temp_store', { simple: true })).toBe(2);
    expect(() =>
      db
        .prepare('INSERT INTO sessions (token_hash, user_id, expires_at) VALUES (?, ?, ?)')
        .run('h', 999, 'x'),
    ).toThrow(/FOREIGN KEY/);
    db.close();
  });

  it('works in memory for quick unit tests', () => {
    const db = openDatabase(':memory:');
    expect(db.prepare('SELECT count(*) FROM users').pluck().get()).toBe(0);
    db.close();
  });
});

describe('demo data', () => {
  it('fills an empty database once: the demo accounts and conversations with unread messages', async () => {
    const db = openDatabase(tempFile());
    expect(await loadDemoData(db)).toBe(true);
    expect(await loadDemoData(db)).toBe(false);
    const users = db
      .prepare('SELECT username, display_name AS displayName, role FROM users ORDER BY id')
      .all();
    expect(users).toEqual(
      DEMO_USERS.map(({ username, displayName, role }) => ({ username, displayName, role })),
    );
    expect(db.prepare('SELECT count(*) FROM conversations').pluck().get()).toBeGreaterThanOrEqual(
      3,
    );
    const unread = db
      .prepare(
        `SELECT count(*) FROM messages m JOIN conversation_participants p ON p.conversation_id = m.conversation_id
          WHERE m.id > p.last_read_message_id AND m.sender_id <> p.user_id`,
      )
      .pluck()
      .get();
    expect(unread).toBeGreaterThan(0);
    db.close();
  });
});
