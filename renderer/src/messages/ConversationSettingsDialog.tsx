import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { Conversation } from '../../../common/api.js';
import { describeError } from '../api/api-error.js';
import { useApi, useSession } from '../app/session-context.js';
import { useDirectory } from '../app/UsersProvider.js';
import { roleLabel } from '../lib/roles.js';
import { toggled } from '../lib/toggled.js';

interface ConversationSettingsDialogProps {
  conversation: Conversation;
  onClose(): void;
  onChanged(conversation: Conversation): void;
  /** The person left: the conversation is no longer theirs to show. */
  onLeft(): void;
}

/** Rename, mute, add and remove people, leave — for one conversation. */
export function ConversationSettingsDialog({
  conversation,
  onClose,
  onChanged,
  onLeft,
}: ConversationSettingsDialogProps) {
  const api = useApi();
  const { user } = useSession();
  const { users } = useDirectory();
  const dialogRef = useRef<HTMLDialogElement>(null);
  const [title, setTitle] = useState(conversation.title ?? '');
  const [adding, setAdding] = useState<ReadonlySet<number>>(new Set());
  const [status, setStatus] = useState<{ kind: 'done' | 'error'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const headingId = useId();

  useEffect(() => {
    const dialog = dialogRef.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);

  const inIt = new Set(conversation.participants.map((person) => person.id));
  const candidates = (users ?? []).filter((person) => !inIt.has(person.id));

  async function run(action: () => Promise<Conversation | null>, done: string) {
    setBusy(true);
    setStatus(null);
    try {
      const changed = await action();
      if (changed) onChanged(changed);
      setStatus({ kind: 'done', text: done });
    } catch (failure) {
      setStatus({ kind: 'error', text: describeError(failure) });
    } finally {
      setBusy(false);
    }
  }

  function rename(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const trimmed = title.trim();
    void run(
      async () =>
        (await api.updateConversation(conversation.id, { title: trimmed === '' ? null : trimmed }))
          .conversation,
      'Renamed.',
    );
  }

  async function leave() {
    setBusy(true);
    try {
      await api.removeParticipant(conversation.id, user.id);
      dialogRef.current?.close();
      onLeft();
    } catch (failure) {
      setStatus({ kind: 'error', text: describeError(failure) });
      setBusy(false);
    }
  }

  return (
    <dialog ref={dialogRef} className="dialog" aria-labelledby={headingId} onClose={onClose}>
      <div className="dialog__body">
        <h2 id={headingId}>Conversation settings</h2>
        <form className="inline-form" onSubmit={rename}>
          <label className="field">
            <span className="field__label">Name</span>
            <input
              value={title}
              maxLength={200}
              placeholder="No name: shown by who is in it"
              onChange={(event) => setTitle(event.target.value)}
            />
          </label>
          <button type="submit" className="button" disabled={busy}>
            Rename
          </button>
        </form>
        <label className="choice">
          <input
            type="checkbox"
            checked={conversation.muted === true}
            disabled={busy}
            onChange={(event) => {
              const muted = event.target.checked;
              void run(
                async () => (await api.updateConversation(conversation.id, { muted })).conversation,
                muted ? 'Muted: no pop-ups, still counted.' : 'Pop-ups are back on.',
              );
            }}
          />
          <span>
            <span className="choice__title">Mute</span>
            <span className="choice__hint muted">
              New messages still count as unread, but raise no pop-up.
            </span>
          </span>
        </label>
        <h3 className="field__label">People</h3>
        <ul className="people-list">
          {conversation.participants.map((person) => (
            <li key={person.id} data-testid="participant">
              <span>
                {person.id === user.id ? `${person.displayName} (you)` : person.displayName}
              </span>
              <span className="muted picker__role">{roleLabel(person.role)}</span>
              {person.id !== user.id && (
                <button
                  type="button"
                  className="button button--small"
                  disabled={busy}
                  aria-label={`Remove ${person.displayName}`}
                  onClick={() =>
                    void run(
                      () =>
                        api
                          .removeParticipant(conversation.id, person.id)
                          .then((answer) => answer?.conversation ?? null),
                      `${person.displayName} was removed.`,
                    )
                  }
                >
                  Remove
                </button>
              )}
            </li>
          ))}
        </ul>
        {candidates.length > 0 && (
          <fieldset className="picker">
            <legend className="field__label">Add people</legend>
            <ul className="picker__list">
              {candidates.map((person) => (
                <li key={person.id}>
                  <label className="picker__option">
                    <input
                      type="checkbox"
                      checked={adding.has(person.id)}
                      onChange={() => setAdding((current) => toggled(current, person.id))}
                    />
                    <span>{person.displayName}</span>
                    <span className="muted picker__role">{roleLabel(person.role)}</span>
                  </label>
                </li>
              ))}
            </ul>
            <button
              type="button"
              className="button"
              disabled={busy || adding.size === 0}
              onClick={() =>
                void run(async () => {
                  const { conversation: changed } = await api.addParticipants(conversation.id, {
                    userIds: [...adding],
                  });
                  setAdding(new Set());
                  return changed;
                }, 'Added.')
              }
            >
              Add {adding.size > 0 ? adding.size : ''}
            </button>
          </fieldset>
        )}
        {status && (
          <p
            className={status.kind === 'error' ? 'form-error' : 'form-success'}
            role={status.kind === 'error' ? 'alert' : 'status'}
          >
            {status.text}
          </p>
        )}
        <div className="dialog__actions">
          <button
            type="button"
            className="button button--danger"
            disabled={busy}
            onClick={() => void leave()}
          >
            Leave conversation
          </button>
          <button type="button" className="button" onClick={() => dialogRef.current?.close()}>
            Close
          </button>
        </div>
      </div>
    </dialog>
  );
}
