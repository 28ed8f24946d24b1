import { PresenceLabel } from '../presence/PresenceLabel.js';
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { Conversation } from '../../../common/api.js';
import { describeError } from '../api/api-error.js';
import { useApi, useSession } from '../app/session-context.js';
import { useDirectory } from '../app/UsersProvider.js';
import { roleLabel } from '../lib/roles.js';
import { toggled } from '../lib/toggled.js';

interface NewConversationDialogProps {
  onClose(): void;
  onCreated(conversation: Conversation): void;
}

/** A modal dialog (the browser's own <dialog>, which traps focus and closes on Escape). */
export function NewConversationDialog({ onClose, onCreated }: NewConversationDialogProps) {
  const api = useApi();
  const { user } = useSession();
  const { users, error: usersError } = useDirectory();
  const dialogRef = useRef<HTMLDialogElement>(null);
  const [selected, setSelected] = useState<ReadonlySet<number>>(new Set());
  const [title, setTitle] = useState('');
  const [filter, setFilter] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const headingId = useId();

  useEffect(() => {
    const dialog = dialogRef.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);

  const colleagues = (users ?? [])
    .filter((candidate) => candidate.id !== user.id)
    .filter((candidate) => {
      const query = filter.trim().toLowerCase();
      return (
        query === '' ||
        `${candidate.displayName} ${candidate.username}`.toLowerCase().includes(query)
      );
    });

  function toggle(id: number) {
    setSelected((current) => toggled(current, id));
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (selected.size === 0) {
      setError('Choose at least one colleague.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const trimmed = title.trim();
      const { conversation } = await api.createConversation({
        participantIds: [...selected],
        ...(trimmed ? { title: trimmed } : {}),
      });
      dialogRef.current?.close();
      onCreated(conversation);
    } catch (failure) {
      setError(describeError(failure));
      setBusy(false);
    }
  }

  return (
    <dialog ref={dialogRef} className="dialog" aria-labelledby={headingId} onClose={onClose}>
      <form className="dialog__body" onSubmit={(event) => void submit(event)}>
        <h2 id={headingId}>New conversation</h2>
        <label className="field">
          <span className="field__label">Title (optional)</span>
          <input value={title} maxLength={200} onChange={(event) => setTitle(event.target.value)} />
        </label>
        <fieldset className="picker">
          <legend className="field__label">Colleagues</legend>
          <input
            type="search"
            className="picker__filter"
            placeholder="Find a colleague"
            aria-label="Find a colleague"
            value={filter}
            onChange={(event) => setFilter(event.target.value)}
          />
          {usersError && <p className="form-error">{usersError}</p>}
          {users === null && !usersError && <p className="muted">Loading colleagues…</p>}
          <ul className="picker__list">
            {colleagues.map((colleague) => (
              <li key={colleague.id}>
                <label className="picker__option">
                  <input
                    type="checkbox"
                    checked={selected.has(colleague.id)}
                    onChange={() => toggle(colleague.id)}
                  />
                  <span>{colleague.displayName}</span>
                  <span className="muted picker__role">{roleLabel(colleague.role)}</span>
                  <PresenceLabel userId={colleague.id} />
                </label>
              </li>
            ))}
          </ul>
        </fieldset>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <div className="dialog__actions">
          <button type="button" className="button" onClick={() => dialogRef.current?.close()}>
            Cancel
          </button>
          <button type="submit" className="button button--primary" disabled={busy}>
            {busy
              ? 'Starting…'
              : `Start conversation${selected.size > 0 ? ` (${selected.size})` : ''}`}
          </button>
        </div>
      </form>
    </dialog>
  );
}
