interface PriorityToggleProps {
  urgent: boolean;
  onChange(urgent: boolean): void;
  disabled?: boolean;
}

/** A pressed/unpressed button rather than a checkbox: it sits beside Send and reads as "Urgent, on". */
export function PriorityToggle({ urgent, onChange, disabled = false }: PriorityToggleProps) {
  return (
    <button
      type="button"
      className="button priority-toggle"
      aria-pressed={urgent}
      disabled={disabled}
      onClick={() => onChange(!urgent)}
    >
      <span className="priority-toggle__mark" aria-hidden="true">
        !
      </span>
      Urgent
    </button>
  );
}
