import { useId, useState, type FormEvent } from 'react';
import { deskName } from '../../../common/alerts.js';
import { loadBrowserDesk, renameBrowserDesk } from './desk-identity.js';

/**
 * The name colleagues see in receipts ("Shown on Nurses' station PC"): one per browser profile
 * here; the desktop app names its own installation.
 */
export function DeskNameSection() {
  const [saved, setSaved] = useState(() => loadBrowserDesk().name);
  const [draft, setDraft] = useState(saved);
  const [message, setMessage] = useState<string | null>(null);
  const inputId = useId();

  function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const parsed = deskName.safeParse(draft);
    if (!parsed.success) {
      setMessage('Give this desk a name of 1 to 100 characters.');
      return;
    }
    setSaved(renameBrowserDesk(parsed.data).name);
    setDraft(parsed.data);
    setMessage('Desk name saved.');
  }

  return (
    <form className="card settings-section" aria-labelledby={`${inputId}-heading`} onSubmit={save}>
      <h2 id={`${inputId}-heading`}>This desk</h2>
      <p className="muted">
        Senders see this name when their message was shown here, e.g. “Nurses’ station PC”.
      </p>
      <div className="inline-fields">
        <label className="field" htmlFor={inputId}>
          <span className="field__label">Desk name</span>
          <input
            id={inputId}
            value={draft}
            maxLength={100}
            onChange={(event) => setDraft(event.target.value)}
          />
        </label>
        <button type="submit" className="button" disabled={draft.trim() === saved}>
          Save name
        </button>
      </div>
      <p className="muted" role="status">
        {message}
      </p>
    </form>
  );
}
