import { useId, useState, type FormEvent, type KeyboardEvent, type ReactNode } from 'react';
import type { EscalationTarget } from '../../../common/alert-settings.js';
import type { MessageOptions } from '../../../common/api.js';
import { PriorityToggle } from './PriorityToggle.js';

const MAX_LENGTH = 4_000;

interface ComposerProps {
  onSend(text: string, options: MessageOptions): void;
  disabled?: boolean;
  label: string;
  /** Choices shown while the message is urgent: where it escalates (undefined: the clinic's default). */
  urgentOptions?(
    escalateTo: EscalationTarget | undefined,
    change: (target: EscalationTarget | undefined) => void,
  ): ReactNode;
}

/**
 * Enter sends; Shift+Enter starts a new line; text being composed with an IME is left alone.
 * Urgent is chosen per message and falls back to routine after each send, so one emergency
 * does not make every later message an alarm.
 */
export function Composer({ onSend, disabled = false, label, urgentOptions }: ComposerProps) {
  const [text, setText] = useState('');
  const [urgent, setUrgent] = useState(false);
  const [escalateTo, setEscalateTo] = useState<EscalationTarget | undefined>(undefined);
  const hintId = useId();
  const inputId = useId();
  const empty = text.trim().length === 0;

  function send() {
    if (empty || disabled) return;
    onSend(
      text,
      urgent && escalateTo
        ? { priority: 'urgent', escalateTo }
        : { priority: urgent ? 'urgent' : 'routine' },
    );
    setText('');
    setUrgent(false);
    setEscalateTo(undefined);
  }

  function handleKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key !== 'Enter' || event.shiftKey || event.nativeEvent.isComposing) return;
    event.preventDefault();
    send();
  }

  function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    send();
  }

  return (
    <form className={urgent ? 'composer composer--urgent' : 'composer'} onSubmit={handleSubmit}>
      <label className="visually-hidden" htmlFor={inputId}>
        {label}
      </label>
      <textarea
        id={inputId}
        className="composer__input"
        rows={1}
        maxLength={MAX_LENGTH}
        value={text}
        placeholder={urgent ? 'Write an urgent message' : 'Write a message'}
        aria-describedby={hintId}
        disabled={disabled}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={handleKeyDown}
      />
      <div className="composer__actions">
        <PriorityToggle urgent={urgent} onChange={setUrgent} disabled={disabled} />
        <button type="submit" className="button button--primary" disabled={disabled || empty}>
          {urgent ? 'Send urgent' : 'Send'}
        </button>
      </div>
      {urgent && urgentOptions && (
        <div className="composer__urgent-options">{urgentOptions(escalateTo, setEscalateTo)}</div>
      )}
      <p className="composer__hint" id={hintId}>
        Enter to send · Shift+Enter for a new line
        {urgent && ' · Urgent: alerts over do-not-disturb until acknowledged'}
        {text.length > MAX_LENGTH - 200 && ` · ${MAX_LENGTH - text.length} characters left`}
      </p>
    </form>
  );
}
