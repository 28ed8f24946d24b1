import { createHash, randomBytes } from 'node:crypto';
import type { SqlDatabase } from '../db/sql-database.js';
import type { Role, User } from '../../common/api.js';

export interface NewSession {
  token: string;
  expiresAt: string;
}

interface SessionUserRow {
  session_id: number;
  expires_at: string;
  id: number;
  username: string;
  display_name: string;
  role: Role;
}

/** A valid session: whose it is, and until when. */
export interface ActiveSession {
  id: number;
  user: User;
  expiresAt: string;
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
  private readonly selectValid;

  constructor(
    db: SqlDatabase,
    private readonly ttlHours: number,
  ) {
    this.insert = db.prepare<[string, number, string]>(
      'INSERT INTO sessions (token_hash, user_id, expires_at) VALUES (?, ?, ?)',
    );
    this.selectUser = db.prepare<[string, string], SessionUserRow>(
      `SELECT s.id AS session_id, s.expires_at, u.id, u.username, u.display_name, u.role
         FROM sessions s JOIN users u ON u.id = s.user_id
        WHERE s.token_hash = ? AND s.expires_at > ? AND u.disabled = 0`,
    );
    this.selectValid = db
      .prepare<[string, string], number>(
        `SELECT s.id FROM sessions s JOIN users u ON u.id = s.user_id
          WHERE s.id IN (SELECT value FROM json_each(?)) AND s.expires_at > ? AND u.disabled = 0`,
      )
      .pluck();
    this.deleteByHash = db.prepare<[string], { id: number }>('DELETE FROM sessions WHERE token_hash = ? RETURNING id');
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
    return this.sessionFor(token, now)?.user ?? null;
  }

  /** The token's session, or null when it is unknown, expired or its user disabled. */
  sessionFor(token: string, now = new Date()): ActiveSession | null {
    const row = this.selectUser.get(hashToken(token), now.toISOString());
    if (!row) return null;
    return {
      id: row.session_id,
      user: { id: row.id, username: row.username, displayName: row.display_name, role: row.role },
      expiresAt: row.expires_at,
    };
  }

  /** Which of these sessions are still valid (not signed out, not expired, user enabled). */
  stillValid(sessionIds: readonly number[], now = new Date()): Set<number> {
    if (sessionIds.length === 0) return new Set();
    return new Set(this.selectValid.all(JSON.stringify(sessionIds), now.toISOString()));
  }

  /** Ends the token's session; returns its id, or null when there was none. */
  delete(token: string): number | null {
    return this.deleteByHash.get(hashToken(token))?.id ?? null;
  }

  /** Signs a user out everywhere (after a password reset or when the account is disabled). */
  deleteAllForUser(userId: number): void {
    this.deleteByUser.run(userId);
  }
}
