import { useCallback, useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { ROLES, type AdminUser, type Role } from '../../../common/api.js';
import { describeError } from '../api/api-error.js';
import { useApi, useSession } from '../app/session-context.js';
import { useEvents } from '../events/useEvents.js';
import { formatWhen, machineTime } from '../lib/format.js';
import { roleLabel } from '../lib/roles.js';

type Status = { kind: 'done' | 'error'; text: string } | null;

function StatusLine({ status }: { status: Status }) {
  if (!status) return null;
  return (
    <p
      className={status.kind === 'error' ? 'form-error' : 'form-success'}
      role={status.kind === 'error' ? 'alert' : 'status'}
    >
      {status.text}
    </p>
  );
}

/** Staff accounts: create, rename, change role, reset password, disable and enable. */
export function StaffAccounts() {
  const api = useApi();
  const [users, setUsers] = useState<AdminUser[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<Status>(null);
  const [editing, setEditing] = useState<AdminUser | null>(null);

  const reload = useCallback(
    () =>
      api.adminUsers().then(
        (answer) => {
          setUsers(answer.users);
          setError(null);
        },
        (failure: unknown) => setError(describeError(failure)),
      ),
    [api],
  );

  useEffect(() => {
    void reload();
  }, [reload]);
  // Another admin (or the command line) changed an account.
  useEvents({ onDirectoryChanged: () => void reload() });

  const replace = (user: AdminUser) =>
    setUsers((current) => (current ?? []).map((item) => (item.id === user.id ? user : item)));

  async function setDisabled(user: AdminUser, disabled: boolean) {
    setStatus(null);
    try {
      const { user: updated } = await api.updateUser(user.id, { disabled });
      replace(updated);
      setStatus({
        kind: 'done',
        text: disabled
          ? `${updated.displayName} is disabled and signed out everywhere.`
          : `${updated.displayName} can sign in again.`,
      });
    } catch (failure) {
      setStatus({ kind: 'error', text: describeError(failure) });
    }
  }

  return (
    <div className="admin-columns admin-columns--wide-first">
      <section aria-labelledby="accounts-heading" className="admin-section">
        <h2 id="accounts-heading">Staff accounts</h2>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <StatusLine status={status} />
        {users === null && !error && <p className="muted">Loading accounts…</p>}
        {users && (
          <div
            className="table-scroll"
            tabIndex={0}
            role="region"
            aria-label="Table of staff accounts"
          >
            <table className="accounts">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Username</th>
                  <th scope="col">Role</th>
                  <th scope="col">Status</th>
                  <th scope="col">Last sign-in</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {users.map((account) => (
                  <tr key={account.id} data-testid="account" data-username={account.username}>
                    <th scope="row">{account.displayName}</th>
                    <td>{account.username}</td>
                    <td>{roleLabel(account.role)}</td>
                    <td>
                      <span className={account.disabled ? 'status' : 'status status--done'}>
                        {account.disabled ? 'Disabled' : 'Active'}
                      </span>
                    </td>
                    <td>
                      {account.lastSignInAt ? (
                        <time dateTime={machineTime(account.lastSignInAt)}>
                          {formatWhen(account.lastSignInAt)}
                        </time>
                      ) : (
                        <span className="muted">Never</span>
                      )}
                    </td>
                    <td className="accounts__actions">
                      <button
                        type="button"
                        className="button button--small"
                        onClick={() => setEditing(account)}
                        aria-label={`Edit ${account.displayName}`}
                      >
                        Edit
                      </button>
                      <button
                        type="button"
                        className="button button--small"
                        onClick={() => void setDisabled(account, !account.disabled)}
                        aria-label={`${account.disabled ? 'Enable' : 'Disable'} ${account.displayName}`}
                      >
                        {account.disabled ? 'Enable' : 'Disable'}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <NewAccountForm onCreated={(user) => setUsers((current) => [...(current ?? []), user])} />
      {editing && (
        <EditAccountDialog
          account={editing}
          onClose={() => setEditing(null)}
          onSaved={(user, text) => {
            replace(user);
            setStatus({ kind: 'done', text });
          }}
        />
      )}
    </div>
  );
}

function NewAccountForm({ onCreated }: { onCreated(user: AdminUser): void }) {
  const api = useApi();
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [role, setRole] = useState<Role>('nurse');
  const [password, setPassword] = useState('');
  const [status, setStatus] = useState<Status>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setBusy(true);
    setStatus(null);
    try {
      const { user } = await api.createUser({ username, displayName, role, password });
      onCreated(user);
      setUsername('');
      setDisplayName('');
      setPassword('');
      setStatus({ kind: 'done', text: `${user.displayName} can now sign in as ${user.username}.` });
    } catch (failure) {
      setStatus({ kind: 'error', text: describeError(failure) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <form
      className="card form admin-section"
      onSubmit={(event) => void submit(event)}
      aria-labelledby="new-account-heading"
    >
      <h2 id="new-account-heading">New account</h2>
      <label className="field">
        <span className="field__label">Full name</span>
        <input
          required
          maxLength={100}
          value={displayName}
          onChange={(event) => setDisplayName(event.target.value)}
        />
      </label>
      <label className="field">
        <span className="field__label">Username</span>
        <input
          required
          maxLength={64}
          autoCapitalize="none"
          spellCheck={false}
          value={username}
          onChange={(event) => setUsername(event.target.value)}
        />
      </label>
      <RoleField value={role} onChange={setRole} />
      <label className="field">
        <span className="field__label">First password (at least 8 characters)</span>
        <input
          type="password"
          required
          minLength={8}
          autoComplete="new-password"
          value={password}
          onChange={(event) => setPassword(event.target.value)}
        />
      </label>
      <StatusLine status={status} />
      <button type="submit" className="button button--primary" disabled={busy}>
        {busy ? 'Creating…' : 'Create account'}
      </button>
    </form>
  );
}

function RoleField({ value, onChange }: { value: Role; onChange(role: Role): void }) {
  return (
    <label className="field">
      <span className="field__label">Role</span>
      <select value={value} onChange={(event) => onChange(event.target.value as Role)}>
        {ROLES.map((role) => (
          <option key={role} value={role}>
            {roleLabel(role)}
          </option>
        ))}
      </select>
    </label>
  );
}

function EditAccountDialog({
  account,
  onClose,
  onSaved,
}: {
  account: AdminUser;
  onClose(): void;
  onSaved(user: AdminUser, text: string): void;
}) {
  const api = useApi();
  const { user: me } = useSession();
  const dialogRef = useRef<HTMLDialogElement>(null);
  const [displayName, setDisplayName] = useState(account.displayName);
  const [role, setRole] = useState<Role>(account.role);
  const [password, setPassword] = useState('');
  const [status, setStatus] = useState<Status>(null);
  const [busy, setBusy] = useState(false);
  const headingId = useId();

  useEffect(() => {
    const dialog = dialogRef.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const changes = {
      ...(displayName.trim() !== account.displayName ? { displayName: displayName.trim() } : {}),
      ...(role !== account.role ? { role } : {}),
      ...(password !== '' ? { password } : {}),
    };
    if (Object.keys(changes).length === 0) {
      dialogRef.current?.close();
      return;
    }
    setBusy(true);
    setStatus(null);
    try {
      const { user } = await api.updateUser(account.id, changes);
      onSaved(
        user,
        password !== ''
          ? `${user.displayName}'s password is reset; they are signed out everywhere.`
          : `${user.displayName} is saved.`,
      );
      dialogRef.current?.close();
    } catch (failure) {
      setStatus({ kind: 'error', text: describeError(failure) });
      setBusy(false);
    }
  }

  return (
    <dialog ref={dialogRef} className="dialog" aria-labelledby={headingId} onClose={onClose}>
      <form className="dialog__body" onSubmit={(event) => void submit(event)}>
        <h2 id={headingId}>Edit {account.displayName}</h2>
        <p className="muted">
          Username {account.username}
          {account.id === me.id ? ' (you)' : ''}
        </p>
        <label className="field">
          <span className="field__label">Full name</span>
          <input
            required
            maxLength={100}
            value={displayName}
            onChange={(event) => setDisplayName(event.target.value)}
          />
        </label>
        <RoleField value={role} onChange={setRole} />
        <label className="field">
          <span className="field__label">New password (leave empty to keep it)</span>
          <input
            type="password"
            minLength={8}
            autoComplete="new-password"
            value={password}
            onChange={(event) => setPassword(event.target.value)}
          />
        </label>
        <StatusLine status={status} />
        <div className="dialog__actions">
          <button type="button" className="button" onClick={() => dialogRef.current?.close()}>
            Cancel
          </button>
          <button type="submit" className="button button--primary" disabled={busy}>
            {busy ? 'Saving…' : 'Save'}
          </button>
        </div>
      </form>
    </dialog>
  );
}
