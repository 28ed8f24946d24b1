import { useEffect, useId, useState, type FormEvent } from 'react';
import { deskName } from '../../../common/alerts.js';
import { ipcErrorMessage } from '../platform/ipc-error.js';
import { loadBrowserDesk, renameBrowserDesk } from './desk-identity.js';

/** Where a desk's name is kept: the browser profile, or the desktop app's installation. */
export interface DeskNaming {
  /** The name now; null while it cannot be told (the section stays hidden). */
  load(): Promise<string | null>;
  /** Keeps the new name and answers the one now in force. */
  rename(name: string): Promise<string>;
}

/** A browser profile's desk (desk-identity.ts). */
export const browserDeskNaming: DeskNaming = {
  load: async () => loadBrowserDesk().name,
  rename: async (name) => renameBrowserDesk(name).name,
};

/**
 * The name colleagues see in receipts ("Shown on Nurses' station PC"): one per browser profile,
 * or per installation of the desktop app (the computer's name until someone changes it here).
 */
export function DeskNameSection({ naming }: { naming: DeskNaming }) {
  const [saved, setSaved] = useState<string | null>(null);
  const [draft, setDraft] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const inputId = useId();
  useEffect(() => {
    let current = true;
    void naming.load().then((name) => {
      if (!current || name === null) return;
      setSaved(name);
      setDraft(name);
    });
    return () => {
      current = false;
    };
  }, [naming]);

  async function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const parsed = deskName.safeParse(draft);
    if (!parsed.success) {
      setMessage('Give this desk a name of 1 to 100 characters.');
      return;
    }
    try {
      const name = await naming.rename(parsed.data);
      setSaved(name);
      setDraft(name);
      setMessage('Desk name saved.');
    } catch (failure) {
      setMessage(ipcErrorMessage(failure, 'The desk name was not saved.'));
    }
  }

  if (saved === null) return null;
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
