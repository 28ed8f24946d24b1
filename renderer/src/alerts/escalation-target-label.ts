import type { EscalationTarget } from '../../../common/alert-settings.js';
import type { User } from '../../../common/api.js';
import { ROLE_PLURALS } from '../../../common/roles.js';

/** "on-duty nurses", "Nurse Kim Park", "nobody". */
export function escalationTargetLabel(
  target: EscalationTarget,
  usersById: ReadonlyMap<number, User>,
): string {
  switch (target.kind) {
    case 'none':
      return 'nobody';
    case 'role':
      return `on-duty ${ROLE_PLURALS[target.role]}`;
    case 'user':
      return usersById.get(target.userId)?.displayName ?? 'a colleague';
  }
}

/** Targets as `<select>` values: "none", "role:nurse", "user:3". */
export function encodeTarget(target: EscalationTarget): string {
  switch (target.kind) {
    case 'none':
      return 'none';
    case 'role':
      return `role:${target.role}`;
    case 'user':
      return `user:${target.userId}`;
  }
}

export function decodeTarget(value: string): EscalationTarget | null {
  if (value === 'none') return { kind: 'none' };
  const [kind, rest] = value.split(':');
  if (
    kind === 'role' &&
    (rest === 'clinician' || rest === 'nurse' || rest === 'front_desk' || rest === 'admin')
  )
    return { kind: 'role', role: rest };
  if (kind === 'user' && rest && /^[1-9]\d{0,15}$/.test(rest))
    return { kind: 'user', userId: Number(rest) };
  return null;
}
