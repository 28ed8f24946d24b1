import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { hashToken } from '../../server/auth/session-store.js';
import { databaseFile, openDatabase } from '../../server/db/database.js';
import { BENCH_ADMIN_USER_ID } from '../load-generator/bench-admin.js';
import { sessionToken } from '../load-generator/systems.js';

/**
 * Bench users are written straight into the server's SQLite database before it starts: user ids
 * 1..N (`bench00001`, …) with one session each, whose token the generator derives from the seed
 * (sessionToken). Signing 10,000 users in over HTTP would cost minutes of scrypt for nothing
 * the benchmark measures. The rows are what server/auth/session-store.ts writes: SHA-256 hex of
 * the token, ISO expiry.
 */
export function createUsersDatabase(dataDir: string, users: number, seed: string): string {
  mkdirSync(dataDir, { recursive: true });
  const db = openDatabase(databaseFile({ dataDir }));
  try {
    const addUser = db.prepare<[number, string, string, string, string]>(
      'INSERT INTO users (id, username, display_name, role, password_hash) VALUES (?, ?, ?, ?, ?)',
    );
    const addSession = db.prepare<[string, number, string]>('INSERT INTO sessions (token_hash, user_id, expires_at) VALUES (?, ?, ?)');
    const expiresAt = new Date(Date.now() + 7 * 24 * 3_600_000).toISOString();
    db.transaction(() => {
      for (let id = 1; id <= users; id++) {
        const name = `bench${String(id).padStart(5, '0')}`;
        // Not a valid password hash: these accounts cannot sign in with a password, only with their session.
        addUser.run(id, name, `Bench User ${id}`, 'nurse', 'bench-no-password');
        addSession.run(hashToken(sessionToken(seed, id)), id, expiresAt);
      }
      addUser.run(BENCH_ADMIN_USER_ID, 'benchadmin', 'Bench Admin', 'admin', 'bench-no-password');
      addSession.run(hashToken(sessionToken(seed, BENCH_ADMIN_USER_ID)), BENCH_ADMIN_USER_ID, expiresAt);
    })();
  } finally {
    db.close();
  }
  return databaseFile({ dataDir });
}

/** A fresh data directory holding a copy of a prepared database. */
export function copyUsersDatabase(templateFile: string, dataDir: string): void {
  mkdirSync(dataDir, { recursive: true });
  copyFileSync(templateFile, join(dataDir, 'clinicpulse.db'));
}
