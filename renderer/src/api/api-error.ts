import { z } from 'zod';
import { API_ERROR_CODES, type ApiErrorCode } from '../../../common/api.js';

const apiErrorBody = z.object({
  error: z.object({ code: z.enum(API_ERROR_CODES), message: z.string() }),
});

/** A request the server answered with an error status (or, with status 0, never answered). */
export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly status: number,
    readonly code: ApiErrorCode | 'network_error' | 'unexpected_response',
    message: string,
  ) {
    super(message);
  }

  static fromResponse(status: number, body: unknown): ApiError {
    const parsed = apiErrorBody.safeParse(body);
    if (parsed.success)
      return new ApiError(status, parsed.data.error.code, parsed.data.error.message);
    return new ApiError(
      status,
      'unexpected_response',
      `The server answered with status ${status}.`,
    );
  }

  get isUnauthorized(): boolean {
    return this.status === 401;
  }
}

/** A sentence for the person at the desk, whatever went wrong. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return 'Something went wrong.';
}
