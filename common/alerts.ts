import { z } from 'zod';

/**
 * The alerting protocol shared by every process: how urgent something is, what a desk reports
 * about it, and the status a sender sees per recipient.
 */

export const PRIORITIES = ['routine', 'urgent'] as const;
export const priority = z.enum(PRIORITIES);
export type Priority = z.infer<typeof priority>;
