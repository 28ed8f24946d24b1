import { createContext, useContext } from 'react';
import type { User } from '../../../common/api.js';
import type { ApiClient } from '../api/api-client.js';
import type { Platform } from '../platform/platform.js';

export interface Session {
  platform: Platform;
  api: ApiClient;
  user: User;
  signOut(): void;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession must be used inside a signed-in app');
  return session;
}

export function useApi(): ApiClient {
  return useSession().api;
}
