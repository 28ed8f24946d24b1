export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 1_000, maxMs: 60_000 };

/**
 * Exponential backoff with "equal jitter": each delay is between half and all of the doubled
 * base, so a clinic's desks that lost the server together do not all come back in one instant.
 * `reset` after a good connection, so the next outage starts with a short wait again.
 */
export class Backoff {
  private attempts = 0;

  constructor(
    private readonly options: BackoffOptions = DEFAULT_BACKOFF,
    private readonly random: () => number = Math.random,
  ) {}

  nextDelay(): number {
    const base = Math.min(
      this.options.maxMs,
      this.options.initialMs * 2 ** Math.min(this.attempts, 30),
    );
    this.attempts++;
    return Math.round(base / 2 + (base / 2) * this.random());
  }

  reset(): void {
    this.attempts = 0;
  }

  get failures(): number {
    return this.attempts;
  }
}
