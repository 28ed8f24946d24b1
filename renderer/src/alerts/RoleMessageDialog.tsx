import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { Conversation } from '../../../common/api.js';
import { ROLE_PLURALS, ROLES, type Role } from '../../../common/roles.js';
import { describeError } from '../api/api-error.js';
import { useApi } from '../app/session-context.js';
import { newClientMessageId } from '../lib/client-message-id.js';
import { PriorityToggle } from '../messages/PriorityToggle.js';

interface RoleMessageDialogProps {
  onClose(): void;
  onSent(conversation: Conversation): void;
}

/**
 * A message to whoever is on duty in a role right now ("the on-duty nurse"), who is only known
 * when it is sent; if nobody is, the dialog says so and keeps the words.
 */
export function RoleMessageDialog({ onClose, onSent }: RoleMessageDialogProps) {
  const api = useApi();
  const dialogRef = useRef<HTMLDialogElement>(null);
  const [role, setRole] = useState<Role>('nurse');
  const [text, setText] = useState('');
  const [urgent, setUrgent] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [clientMessageId] = useState(newClientMessageId);
  const headingId = useId();

  useEffect(() => {
    const dialog = dialogRef.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (text.trim() === '') return;
    setBusy(true);
    setError(null);
    try {
      const { conversation } = await api.sendRoleMessage({
        role,
        text,
        priority: urgent ? 'urgent' : 'routine',
        clientMessageId,
      });
      onSent(conversation);
    } catch (failure) {
      setError(describeError(failure));
    } finally {
      setBusy(false);
    }
  }

  return (
    <dialog ref={dialogRef} className="dialog" aria-labelledby={headingId} onClose={onClose}>
      <form className="dialog__body" onSubmit={(event) => void submit(event)}>
        <h2 id={headingId}>Message the on-duty staff</h2>
        <label className="field">
          <span className="field__label">To the on-duty</span>
          <select value={role} onChange={(event) => setRole(event.target.value as Role)}>
            {ROLES.map((candidate) => (
              <option key={candidate} value={candidate}>
                {ROLE_PLURALS[candidate]}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span className="field__label">Message</span>
          <textarea
            value={text}
            maxLength={4_000}
            rows={3}
            onChange={(event) => setText(event.target.value)}
          />
        </label>
        <PriorityToggle urgent={urgent} onChange={setUrgent} />
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <div className="dialog__actions">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button
            type="submit"
            className="button button--primary"
            disabled={busy || text.trim() === ''}
          >
            {busy ? 'Sending…' : 'Send'}
          </button>
        </div>
      </form>
    </dialog>
  );
}
