import type { Role } from '../../../common/api.js';

const LABELS: Record<Role, string> = {
  clinician: 'Clinician',
  nurse: 'Nurse',
  front_desk: 'Front desk',
  admin: 'Administrator',
};

export function roleLabel(role: Role): string {
  return LABELS[role];
}
