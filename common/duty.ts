import { z } from 'zod';
import type { Role } from './roles.js';

/** Staff on duty for their role now. */
export interface OnDutyEntry {
  userId: number;
  displayName: string;
  role: Role;
  since: string;
}

export interface OnDutyResponse {
  onDuty: OnDutyEntry[];
}

export const setDutyRequest = z.object({ onDuty: z.boolean() });
export type SetDutyRequest = z.infer<typeof setDutyRequest>;
