import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
  type ReactNode,
} from 'react';
import type { User } from '../../../common/api.js';
import { describeError } from '../api/api-error.js';
import { useEvents } from '../events/useEvents.js';
import { useApi } from './session-context.js';

export interface Directory {
  users: User[] | null;
  error: string | null;
  byId: ReadonlyMap<number, User>;
}

const DirectoryContext = createContext<Directory | null>(null);

/** The clinic's staff for pickers and names: loaded at sign-in, again whenever the directory changes. */
export function UsersProvider({ children }: { children: ReactNode }) {
  const api = useApi();
  const [users, setUsers] = useState<User[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  // Reloads can overlap (two changes in a row); only the latest request's answer is shown.
  const latestRequest = useRef(0);
  const reload = useCallback(() => {
    const request = ++latestRequest.current;
    api.users().then(
      (response) => {
        if (request !== latestRequest.current) return;
        setUsers(response.users);
        setError(null);
      },
      (failure: unknown) => {
        if (request === latestRequest.current) setError(describeError(failure));
      },
    );
  }, [api]);

  useEffect(() => {
    reload();
  }, [reload]);

  useEvents({ onDirectoryChanged: reload, onResync: reload });

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
