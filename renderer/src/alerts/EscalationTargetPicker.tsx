import { useId } from 'react';
import type { EscalationTarget } from '../../../common/alert-settings.js';
import { ROLES } from '../../../common/roles.js';
import { ROLE_PLURALS } from '../../../common/roles.js';
import { useSession } from '../app/session-context.js';
import { useDirectory } from '../app/UsersProvider.js';
import { decodeTarget, encodeTarget, escalationTargetLabel } from './escalation-target-label.js';
import { useAlertSettings } from './useAlertSettings.js';

const DEFAULT = 'default';

interface EscalationTargetPickerProps {
  /** Undefined: the clinic's default. */
  value: EscalationTarget | undefined;
  onChange(target: EscalationTarget | undefined): void;
  /** "If nobody acknowledges" — the label before the choice. */
  label?: string;
}

/** Who an urgent message goes to if nobody acknowledges it: the clinic's default, a role on duty, a colleague. */
export function EscalationTargetPicker({
  value,
  onChange,
  label = 'If nobody acknowledges, escalate to',
}: EscalationTargetPickerProps) {
  const { user } = useSession();
  const { users, byId } = useDirectory();
  const settings = useAlertSettings();
  const id = useId();
  const colleagues = (users ?? []).filter((candidate) => candidate.id !== user.id);
  const fallback = settings ? escalationTargetLabel(settings.escalationTarget, byId) : null;
  return (
    <label className="escalation-picker" htmlFor={id}>
      <span className="escalation-picker__label">{label}</span>
      <select
        id={id}
        value={value ? encodeTarget(value) : DEFAULT}
        onChange={(event) =>
          onChange(
            event.target.value === DEFAULT
              ? undefined
              : (decodeTarget(event.target.value) ?? undefined),
          )
        }
      >
        <option value={DEFAULT}>
          {fallback ? `Clinic default (${fallback})` : 'Clinic default'}
        </option>
        {ROLES.map((role) => (
          <option key={role} value={`role:${role}`}>
            On-duty {ROLE_PLURALS[role]}
          </option>
        ))}
        {colleagues.map((colleague) => (
          <option key={colleague.id} value={`user:${colleague.id}`}>
            {colleague.displayName}
          </option>
        ))}
        <option value="none">Nobody (no escalation)</option>
      </select>
    </label>
  );
}
