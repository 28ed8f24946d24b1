import type { Response } from 'express';
import type { User } from '../../common/api.js';
import { HttpError } from '../http/errors.js';

/** The authentication middleware stores the signed-in user here; routes read it back. */
export function setCurrentUser(res: Response, user: User): void {
  res.locals.user = user;
}

export function currentUser(res: Response): User {
  const user = signedInUser(res);
  if (!user) throw new HttpError(401, 'unauthorized', 'sign in first');
  return user;
}

/** The signed-in user, for the few routes that also serve requests without a session. */
export function signedInUser(res: Response): User | undefined {
  return res.locals.user as User | undefined;
}
