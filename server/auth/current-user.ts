import type { Response } from 'express';
import type { User } from '../../common/api.js';
import { HttpError } from '../http/errors.js';

/** The authentication middleware stores the signed-in user here; routes read it back. */
export function setCurrentUser(res: Response, user: User): void {
  res.locals.user = user;
}

export function currentUser(res: Response): User {
  const user = res.locals.user as User | undefined;
  if (!user) throw new HttpError(401, 'unauthorized', 'sign in first');
  return user;
}
