import { useCallback, useEffect, useId, useState, type FormEvent } from 'react';
import { ROLES, type Role, type SystemNotice } from '../../../common/api.js';
import { describeError } from '../api/api-error.js';
import { useApi } from '../app/session-context.js';
import { useDirectory } from '../app/UsersProvider.js';
import { formatWhen, machineTime } from '../lib/format.js';
import { roleLabel } from '../lib/roles.js';
import { toggled } from '../lib/toggled.js';

type Audience = SystemNotice['audience'];

/** Compose a notice to everyone, a role or named people; the history of what was sent. */
export function SystemNotices() {
  const api = useApi();
  const [notices, setNotices] = useState<SystemNotice[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const reload = useCallback(
    () =>
      api.systemNotices().then(
        (answer) => {
          setNotices(answer.notices);
          setError(null);
        },
        (failure: unknown) => setError(describeError(failure)),
      ),
    [api],
  );

  useEffect(() => {
    void reload();
  }, [reload]);

  return (
    <div className="admin-columns">
      <ComposeNotice onSent={() => void reload()} />
      <section aria-labelledby="notice-history-heading" className="admin-section">
        <h2 id="notice-history-heading">Sent notices</h2>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        {notices?.length === 0 && <p className="muted">No notice has been sent yet.</p>}
        <ul className="notice-history">
          {(notices ?? []).map((notice) => (
            <NoticeEntry key={notice.id} notice={notice} />
          ))}
        </ul>
      </section>
    </div>
  );
}

function NoticeEntry({ notice }: { notice: SystemNotice }) {
  const { byId } = useDirectory();
  let audience: string;
  if (notice.audience === 'everyone') audience = 'Everyone';
  else if (notice.audience === 'role') audience = `All ${roleLabel(notice.role ?? 'nurse')} staff`;
  else {
    const names = (notice.userIds ?? []).map((id) => byId.get(id)?.displayName ?? `user ${id}`);
    audience = names.length <= 3 ? names.join(', ') : `${names.slice(0, 3).join(', ')} and others`;
  }
  return (
    <li className="card notice-entry" data-testid="sent-notice">
      <p className="notice-entry__content">{notice.content}</p>
      <p className="muted notice-entry__meta">
        To {audience} · reached {notice.recipients} {notice.recipients === 1 ? 'person' : 'people'}{' '}
        · sent by {notice.sentBy.displayName} ·{' '}
        <time dateTime={machineTime(notice.sentAt)}>{formatWhen(notice.sentAt)}</time>
      </p>
    </li>
  );
}

function ComposeNotice({ onSent }: { onSent(): void }) {
  const api = useApi();
  const { users } = useDirectory();
  const [content, setContent] = useState('');
  const [audience, setAudience] = useState<Audience>('everyone');
  const [role, setRole] = useState<Role>('nurse');
  const [people, setPeople] = useState<ReadonlySet<number>>(new Set());
  const [status, setStatus] = useState<{ kind: 'done' | 'error'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const audienceName = useId();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (audience === 'people' && people.size === 0) {
      setStatus({ kind: 'error', text: 'Choose at least one person.' });
      return;
    }
    setBusy(true);
    setStatus(null);
    try {
      const { recipients, queued } = await api.sendSystemNotification({
        content: content.trim(),
        ...(audience === 'role' ? { role } : {}),
        ...(audience === 'people' ? { userIds: [...people] } : {}),
      });
      setContent('');
      setStatus({
        kind: 'done',
        text: queued
          ? `Queued for ${recipients} ${recipients === 1 ? 'person' : 'people'}: delivery is slow right now; it goes out by itself, once each.`
          : `Sent to ${recipients} ${recipients === 1 ? 'person' : 'people'}.`,
      });
      onSent();
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
      aria-labelledby="compose-notice-heading"
    >
      <h2 id="compose-notice-heading">New system notice</h2>
      <label className="field">
        <span className="field__label">Notice</span>
        <textarea
          required
          rows={3}
          maxLength={2000}
          value={content}
          onChange={(event) => setContent(event.target.value)}
        />
      </label>
      <fieldset className="picker">
        <legend className="field__label">Send to</legend>
        {(['everyone', 'role', 'people'] as const).map((choice) => (
          <label key={choice} className="choice choice--inline">
            <input
              type="radio"
              name={audienceName}
              checked={audience === choice}
              onChange={() => setAudience(choice)}
            />
            <span>
              {choice === 'everyone'
                ? 'Everyone'
                : choice === 'role'
                  ? 'One role'
                  : 'Chosen people'}
            </span>
          </label>
        ))}
        {audience === 'role' && (
          <label className="field">
            <span className="field__label">Role</span>
            <select value={role} onChange={(event) => setRole(event.target.value as Role)}>
              {ROLES.map((candidate) => (
                <option key={candidate} value={candidate}>
                  {roleLabel(candidate)}
                </option>
              ))}
            </select>
          </label>
        )}
        {audience === 'people' && (
          <ul className="picker__list">
            {(users ?? []).map((person) => (
              <li key={person.id}>
                <label className="picker__option">
                  <input
                    type="checkbox"
                    checked={people.has(person.id)}
                    onChange={() => setPeople((current) => toggled(current, person.id))}
                  />
                  <span>{person.displayName}</span>
                  <span className="muted picker__role">{roleLabel(person.role)}</span>
                </label>
              </li>
            ))}
          </ul>
        )}
      </fieldset>
      {status && (
        <p
          className={status.kind === 'error' ? 'form-error' : 'form-success'}
          role={status.kind === 'error' ? 'alert' : 'status'}
        >
          {status.text}
        </p>
      )}
      <button type="submit" className="button button--primary" disabled={busy}>
        {busy ? 'Sending…' : 'Send notice'}
      </button>
    </form>
  );
}
