import type { TestProject } from 'vitest/node';
import { postgresUnavailableReason, startTestPostgres, type TestPostgres } from './postgres-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The test run's PostgreSQL (its `postgres` database), or null when none can run here. */
    postgresAdminUrl: string | null;
    postgresUnavailable: string | null;
  }
}

let postgres: TestPostgres | undefined;

/** One PostgreSQL server for the whole run; every test server gets a fresh database in it. */
export async function setup(project: TestProject): Promise<void> {
  const reason = postgresUnavailableReason();
  if (reason === null) postgres = await startTestPostgres();
  project.provide('postgresAdminUrl', postgres?.adminUrl ?? null);
  project.provide('postgresUnavailable', reason);
}

export async function teardown(): Promise<void> {
  await postgres?.stop();
}
