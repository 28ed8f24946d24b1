import type { SqlDatabase } from '../db/sql-database.js';
import type { AdminUser, CreateUserRequest, UpdateUserRequest } from '../../common/api.js';
import { hashPassword } from '../auth/password.js';
import { SessionStore } from '../auth/session-store.js';
import { UserStore } from './user-store.js';

export class AccountError extends Error {
  constructor(
    readonly reason: 'not_found' | 'last_admin',
    message: string,
  ) {
    super(message);
    this.name = 'AccountError';
  }
}

/**
 * Account management shared by the admin API and the `npm run user` command, so both apply the
 * same rules: passwords are hashed here, a disabled account or a new password signs the user out
 * everywhere, and the last enabled admin can be neither disabled nor demoted.
 */
export class Accounts {
  readonly users: UserStore;
  private readonly sessions: SessionStore;

  constructor(private readonly db: SqlDatabase) {
    this.users = new UserStore(db);
    // The TTL only matters when creating sessions, which this class never does.
    this.sessions = new SessionStore(db, 1);
  }

  async add(request: CreateUserRequest): Promise<AdminUser> {
    const passwordHash = await hashPassword(request.password);
    return this.users.create({
      username: request.username,
      displayName: request.displayName,
      role: request.role,
      passwordHash,
    });
  }

  async update(id: number, request: UpdateUserRequest): Promise<AdminUser> {
    const passwordHash =
      request.password === undefined ? undefined : await hashPassword(request.password);
    const apply = this.db.transaction((): AdminUser => {
      const current = this.users.byId(id);
      if (!current) throw new AccountError('not_found', `no user with id ${id}`);
      const losesAdmin =
        current.role === 'admin' &&
        !current.disabled &&
        ((request.role !== undefined && request.role !== 'admin') || request.disabled === true);
      if (losesAdmin && this.users.otherEnabledAdmins(id) === 0) {
        throw new AccountError(
          'last_admin',
          `${current.username} is the last enabled admin; make another admin first`,
        );
      }
      const updated = this.users.update(id, {
        displayName: request.displayName,
        role: request.role,
        passwordHash,
        disabled: request.disabled,
      }) as AdminUser;
      if (request.disabled === true || passwordHash !== undefined)
        this.sessions.deleteAllForUser(id);
      return updated;
    });
    return apply.immediate();
  }
}
