import { z } from 'zod';

/** What an escalation did, kept as JSON on the alert: whom it was for and whom it reached. */
const outcome = z.object({
  target: z.string(),
  recipients: z.array(z.string()),
  failure: z.string().nullable(),
  conversationId: z.number().int().positive().nullable(),
});
export type EscalationOutcome = z.infer<typeof outcome>;

export function escalationOutcome(text: string | null): EscalationOutcome | null {
  if (text === null) return null;
  try {
    const parsed = outcome.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
