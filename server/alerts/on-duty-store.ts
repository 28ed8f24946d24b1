import type { SqlDatabase } from '../db/sql-database.js';
import type { Role } from '../../common/roles.js';

export interface OnDutyMember {
  userId: number;
  displayName: string;
  role: Role;
  since: string;
}

/**
 * Who is on duty. A person is on duty for their own role; disabled accounts never count.
 * A role-addressed message or an escalation reads this at the moment it is sent, and records
 * who that was.
 */
export class OnDutyStore {
  constructor(private readonly db: SqlDatabase) {}

  list(): OnDutyMember[] {
    return this.db
      .prepare<[], { user_id: number; display_name: string; role: Role; since: string }>(
        `SELECT d.user_id, u.display_name, u.role, d.since FROM on_duty d JOIN users u ON u.id = d.user_id
          WHERE u.disabled = 0 ORDER BY u.role, u.display_name, u.id`,
      )
      .all()
      .map((row) => ({ userId: row.user_id, displayName: row.display_name, role: row.role, since: row.since }));
  }

  /** The enabled members of `role` on duty now, except those in `excluding`. */
  membersOf(role: Role, excluding: readonly number[] = []): OnDutyMember[] {
    const skip = new Set(excluding);
    return this.list().filter((member) => member.role === role && !skip.has(member.userId));
  }

  set(userId: number, onDuty: boolean, setBy: number): void {
    if (onDuty) {
      this.db
        .prepare<[number, string, number]>('INSERT INTO on_duty (user_id, since, set_by) VALUES (?, ?, ?) ON CONFLICT (user_id) DO NOTHING')
        .run(userId, new Date().toISOString(), setBy);
    } else {
      this.db.prepare<[number]>('DELETE FROM on_duty WHERE user_id = ?').run(userId);
    }
  }
}
