import { z } from 'zod';

/** Staff roles. A role is also what a message can be addressed to ("the on-duty nurse"). */
export const ROLES = ['clinician', 'nurse', 'front_desk', 'admin'] as const;
export const role = z.enum(ROLES);
export type Role = z.infer<typeof role>;

/** "nurses", for "on-duty nurses". */
export const ROLE_PLURALS: Record<Role, string> = {
  clinician: 'clinicians',
  nurse: 'nurses',
  front_desk: 'front desk staff',
  admin: 'admins',
};
