import { createHash, randomBytes } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import type { Role, User } from '../../common/api.js';

export interface NewSession {
  token: string;
  expiresAt: string;
}

interface SessionUserRow {
  id: number;
  username: string;
  display_name: string;
  role: Role;
}

/** Only the SHA-256 of a token is stored: a copy of the database cannot be used to sign in. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * Sessions in SQLite, so every server process sharing the database honours them, and a
 * disabled account stops working at once (the lookup joins the user and checks `disabled`).
 */
export class SessionStore {
  private readonly insert;
  private readonly selectUser;
  private readonly deleteByHash;
  private readonly deleteByUser;
  private readonly deleteExpired;

  constructor(
    db: Database,
    private readonly ttlHours: number,
  ) {
    this.insert = db.prepare<[string, number, string]>(
      'INSERT INTO sessions (token_hash, user_id, expires_at) VALUES (?, ?, ?)',
    );
    this.selectUser = db.prepare<[string, string], SessionUserRow>(
      `SELECT u.id, u.username, u.display_name, u.role
         FROM sessions s JOIN users u ON u.id = s.user_id
        WHERE s.token_hash = ? AND s.expires_at > ? AND u.disabled = 0`,
    );
    this.deleteByHash = db.prepare<[string]>('DELETE FROM sessions WHERE token_hash = ?');
    this.deleteByUser = db.prepare<[number]>('DELETE FROM sessions WHERE user_id = ?');
    this.deleteExpired = db.prepare<[string]>('DELETE FROM sessions WHERE expires_at <= ?');
  }

  /** A new random 256-bit token (base64url); the caller hands it to the client and forgets it. */
  create(userId: number, now = new Date()): NewSession {
    this.deleteExpired.run(now.toISOString());
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(now.getTime() + this.ttlHours * 3_600_000).toISOString();
    this.insert.run(hashToken(token), userId, expiresAt);
    return { token, expiresAt };
  }

  /** The signed-in user, or null for an unknown, expired or disabled user's token. */
  userFor(token: string, now = new Date()): User | null {
    const row = this.selectUser.get(hashToken(token), now.toISOString());
    return row
      ? { id: row.id, username: row.username, displayName: row.display_name, role: row.role }
      : null;
  }

  delete(token: string): void {
    this.deleteByHash.run(hashToken(token));
  }

  /** Signs a user out everywhere (after a password reset or when the account is disabled). */
  deleteAllForUser(userId: number): void {
    this.deleteByUser.run(userId);
  }
}
