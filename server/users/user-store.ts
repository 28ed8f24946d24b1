import type { SqlDatabase } from '../db/sql-database.js';
import { isUniqueViolation } from '../db/sql-errors.js';
import type { AdminUser, Role, User } from '../../common/api.js';

interface UserRow {
  id: number;
  username: string;
  display_name: string;
  role: Role;
  password_hash: string;
  disabled: 0 | 1;
  created_at: string;
  last_sign_in_at: string | null;
}

export interface UserWithPassword extends AdminUser {
  passwordHash: string;
}

export interface NewUser {
  username: string;
  displayName: string;
  role: Role;
  passwordHash: string;
}

export interface UserChanges {
  displayName?: string;
  role?: Role;
  passwordHash?: string;
  disabled?: boolean;
}

export class DuplicateUsernameError extends Error {
  constructor(readonly username: string) {
    super(`username "${username}" is already taken`);
    this.name = 'DuplicateUsernameError';
  }
}

export function publicUser(user: User): User {
  return { id: user.id, username: user.username, displayName: user.displayName, role: user.role };
}

function fromRow(row: UserRow): UserWithPassword {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    role: row.role,
    disabled: row.disabled === 1,
    createdAt: row.created_at,
    lastSignInAt: row.last_sign_in_at,
    passwordHash: row.password_hash,
  };
}

function adminView({ passwordHash: _hidden, ...user }: UserWithPassword): AdminUser {
  return user;
}

/** Staff accounts. Usernames are unique regardless of case (the column is COLLATE NOCASE). */
export class UserStore {
  constructor(private readonly db: SqlDatabase) {}

  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM users').get() as { n: number }).n;
  }

  byUsername(username: string): UserWithPassword | null {
    const row = this.db
      .prepare<[string], UserRow>('SELECT * FROM users WHERE username = ?')
      .get(username);
    return row ? fromRow(row) : null;
  }

  byId(id: number): UserWithPassword | null {
    const row = this.db.prepare<[number], UserRow>('SELECT * FROM users WHERE id = ?').get(id);
    return row ? fromRow(row) : null;
  }

  /** Every account, disabled ones too, for the admin. */
  list(): AdminUser[] {
    return this.db
      .prepare<[], UserRow>('SELECT * FROM users ORDER BY username')
      .all()
      .map((row) => adminView(fromRow(row)));
  }

  /** The staff directory: enabled accounts only. */
  directory(): User[] {
    return this.db
      .prepare<[], UserRow>(
        'SELECT * FROM users WHERE disabled = 0 ORDER BY display_name, username',
      )
      .all()
      .map((row) => publicUser(fromRow(row)));
  }

  create(user: NewUser): AdminUser {
    try {
      const id = this.db
        .prepare<[string, string, Role, string], number>(
          'INSERT INTO users (username, display_name, role, password_hash) VALUES (?, ?, ?, ?) RETURNING id',
        )
        .pluck()
        .get(user.username, user.displayName, user.role, user.passwordHash) as number;
      return adminView(this.byId(id) as UserWithPassword);
    } catch (error) {
      if (isUniqueViolation(error))
        throw new DuplicateUsernameError(user.username);
      throw error;
    }
  }

  /** Returns the updated account, or null when there is none with that id. */
  update(id: number, changes: UserChanges): AdminUser | null {
    const columns: [string, string | number | undefined][] = [
      ['display_name', changes.displayName],
      ['role', changes.role],
      ['password_hash', changes.passwordHash],
      ['disabled', changes.disabled === undefined ? undefined : Number(changes.disabled)],
    ];
    const set = columns.filter(
      (column): column is [string, string | number] => column[1] !== undefined,
    );
    if (set.length > 0) {
      this.db
        .prepare(`UPDATE users SET ${set.map(([name]) => `${name} = ?`).join(', ')} WHERE id = ?`)
        .run(...set.map(([, value]) => value), id);
    }
    const user = this.byId(id);
    return user ? adminView(user) : null;
  }

  /** Enabled admins other than `exceptId`: an update must never leave the clinic without one. */
  otherEnabledAdmins(exceptId: number): number {
    return (
      this.db
        .prepare<[number], { n: number }>(
          "SELECT count(*) AS n FROM users WHERE role = 'admin' AND disabled = 0 AND id <> ?",
        )
        .get(exceptId) as { n: number }
    ).n;
  }
}
