import type { Database } from 'better-sqlite3';
import type { Role, User } from '../../common/api.js';
import { HttpError } from '../http/errors.js';

interface UserRow {
  id: number;
  username: string;
  display_name: string;
  role: Role;
}

const toUser = (row: UserRow): User => ({ id: row.id, username: row.username, displayName: row.display_name, role: row.role });

/**
 * The enabled accounts among `ids`, in the order given, without repeats. Any id that is not an
 * enabled account makes it a 400 naming every such id, so a typo never silently drops someone.
 */
export function requireEnabledUsers(db: Database, ids: readonly number[], field: string): User[] {
  const unique = [...new Set(ids)];
  const select = db.prepare<[string], UserRow>(
    'SELECT id, username, display_name, role FROM users WHERE disabled = 0 AND id IN (SELECT value FROM json_each(?))',
  );
  const found = new Map(select.all(JSON.stringify(unique)).map((row) => [row.id, toUser(row)]));
  const unknown = unique.filter((id) => !found.has(id));
  if (unknown.length > 0) {
    const shown = unknown.slice(0, 20).join(', ') + (unknown.length > 20 ? ', …' : '');
    throw new HttpError(400, 'validation_failed', `${field}: no enabled user with id ${shown}`);
  }
  return unique.map((id) => found.get(id) as User);
}

/** Every enabled account, or those of one role. */
export function enabledUsers(db: Database, role?: Role): User[] {
  const rows = role
    ? db.prepare<[Role], UserRow>('SELECT id, username, display_name, role FROM users WHERE disabled = 0 AND role = ? ORDER BY id').all(role)
    : db.prepare<[], UserRow>('SELECT id, username, display_name, role FROM users WHERE disabled = 0 ORDER BY id').all();
  return rows.map(toUser);
}
