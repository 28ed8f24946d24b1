import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { User } from '../../../common/api.js';
import { describeError } from '../api/api-error.js';
import { useApi } from './session-context.js';

export interface Directory {
  users: User[] | null;
  error: string | null;
  byId: ReadonlyMap<number, User>;
}

const DirectoryContext = createContext<Directory | null>(null);

/** The clinic's staff, loaded once per session for pickers and names. */
export function UsersProvider({ children }: { children: ReactNode }) {
  const api = useApi();
  const [users, setUsers] = useState<User[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    api.users().then(
      (response) => {
        if (!cancelled) setUsers(response.users);
      },
      (failure: unknown) => {
        if (!cancelled) setError(describeError(failure));
      },
    );
    return () => {
      cancelled = true;
    };
  }, [api]);

  const value = useMemo(
    () => ({ users, error, byId: new Map((users ?? []).map((user) => [user.id, user])) }),
    [users, error],
  );
  return <DirectoryContext.Provider value={value}>{children}</DirectoryContext.Provider>;
}

export function useDirectory(): Directory {
  const directory = useContext(DirectoryContext);
  if (!directory) throw new Error('useDirectory must be used inside <UsersProvider>');
  return directory;
}
