import type { ServerContext } from '../context.js';

/**
 * Sent on a user's own channel, so every server process holding a stream of theirs hears it.
 * Neither can be mistaken for an event: stored events are JSON objects.
 */
export const REVOKE_STREAMS_MESSAGE = 'revoke-streams';
const REVOKE_SESSION_PREFIX = 'revoke-session:';

/** Ends the user's open streams everywhere (disabled, new password); their clients meet a 401. */
export function revokeStreams(ctx: ServerContext, userId: number): Promise<void> {
  return announce(ctx, userId, REVOKE_STREAMS_MESSAGE);
}

/** Ends the streams opened with one session (signed out), on every server process. */
export function revokeSessionStreams(ctx: ServerContext, userId: number, sessionId: number): Promise<void> {
  return announce(ctx, userId, `${REVOKE_SESSION_PREFIX}${sessionId}`);
}

/** The session a revocation message names; null when the message is no session revocation. */
export function revokedSessionId(message: string): number | null {
  if (!message.startsWith(REVOKE_SESSION_PREFIX)) return null;
  const id = Number(message.slice(REVOKE_SESSION_PREFIX.length));
  return Number.isSafeInteger(id) ? id : null;
}

/**
 * The session is already gone from the database when this runs, so a failure here changes no
 * outcome, only its timing: every hub checks its streams' sessions against the database every
 * STREAM_SESSION_CHECK_SECONDS (and Redis down means no stream is open anyway).
 */
async function announce(ctx: ServerContext, userId: number, message: string): Promise<void> {
  try {
    await ctx.publisher.announce(userId, message);
  } catch (error) {
    ctx.logger.warn(
      { err: (error as Error).message, userId },
      'could not end open streams through Redis; the session check ends them shortly',
    );
  }
}
