import { useId, useState, type FormEvent, type KeyboardEvent } from 'react';

const MAX_LENGTH = 4_000;

interface ComposerProps {
  onSend(text: string): void;
  disabled?: boolean;
  label: string;
}

/** Enter sends; Shift+Enter starts a new line; text being composed with an IME is left alone. */
export function Composer({ onSend, disabled = false, label }: ComposerProps) {
  const [text, setText] = useState('');
  const hintId = useId();
  const inputId = useId();
  const empty = text.trim().length === 0;

  function send() {
    if (empty || disabled) return;
    onSend(text);
    setText('');
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
    <form className="composer" onSubmit={handleSubmit}>
      <label className="visually-hidden" htmlFor={inputId}>
        {label}
      </label>
      <textarea
        id={inputId}
        className="composer__input"
        rows={1}
        maxLength={MAX_LENGTH}
        value={text}
        placeholder="Write a message"
        aria-describedby={hintId}
        disabled={disabled}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={handleKeyDown}
      />
      <button type="submit" className="button button--primary" disabled={disabled || empty}>
        Send
      </button>
      <p className="composer__hint" id={hintId}>
        Enter to send · Shift+Enter for a new line
        {text.length > MAX_LENGTH - 200 && ` · ${MAX_LENGTH - text.length} characters left`}
      </p>
    </form>
  );
}
