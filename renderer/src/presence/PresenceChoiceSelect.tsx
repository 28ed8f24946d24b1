import { useId, useState } from 'react';
import { presenceChoice } from '../../../common/presence.js';
import { describeError } from '../api/api-error.js';
import { usePresence } from './PresenceProvider.js';

/** The person's own status in the top bar: available or busy (away follows from their desks). */
export function PresenceChoiceSelect() {
  const { choice, choose } = usePresence();
  const [error, setError] = useState<string | null>(null);
  const id = useId();

  async function change(value: string) {
    const parsed = presenceChoice.safeParse(value);
    if (!parsed.success) return;
    setError(null);
    try {
      await choose(parsed.data);
    } catch (failure) {
      setError(describeError(failure));
    }
  }

  return (
    <span className="presence-choice">
      <label className="visually-hidden" htmlFor={id}>
        Your status
      </label>
      <select
        id={id}
        className={`presence-choice__select presence--${choice}`}
        value={choice}
        onChange={(event) => void change(event.target.value)}
        title={error ?? 'Busy: colleagues see that you would rather not be disturbed'}
        aria-invalid={error ? true : undefined}
        data-testid="presence-choice"
      >
        <option value="available">Available</option>
        <option value="busy">Busy</option>
      </select>
      {error && (
        <span className="form-error" role="alert">
          {error}
        </span>
      )}
    </span>
  );
}
