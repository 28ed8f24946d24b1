import { defineConfig } from 'vitest/config';

/**
 * The files whose tests exercise the stores, run a second time on PostgreSQL (node-postgres).
 * The rest (streams, Redis faults, the desktop app) do not depend on the database engine, nor
 * do sign-in throttling (auth) and the timing of repeats (escalation), left out to keep CI
 * short: sessions are covered by users and sign-out-everywhere, escalation claims by
 * escalation-exactly-once.
 */
const STORE_TESTS = [
  'test/server/conversations.test.ts',
  'test/server/conversation-management.test.ts',
  'test/server/conversation-events.test.ts',
  'test/server/message-changes.test.ts',
  'test/server/outbox.test.ts',
  'test/server/reminders.test.ts',
  'test/server/appointment-changes.test.ts',
  'test/server/notifications.test.ts',
  'test/server/notification-marks.test.ts',
  'test/server/personal-settings.test.ts',
  'test/server/search.test.ts',
  'test/server/users.test.ts',
  'test/server/admin.test.ts',
  'test/server/sign-out-everywhere.test.ts',
  'test/server/user-cli.test.ts',
  'test/server/alerts/acknowledge.test.ts',
  'test/server/alerts/audit.test.ts',
  'test/server/alerts/duty-and-settings.test.ts',
  'test/server/alerts/escalation-exactly-once.test.ts',
  'test/server/alerts/priority.test.ts',
  'test/server/alerts/receipts.test.ts',
  'test/server/alerts/receipts-endpoint.test.ts',
];

export default defineConfig({
  test: {
    // Vitest's default on 2 cores is one worker, but these tests mostly wait on real servers,
    // Redis and PostgreSQL: with two files at a time the cores were still idle 30 % of the
    // time, with three the non-e2e files took 405 s instead of 511 s and the cores were busy
    // (a fourth would only queue for them). The e2e files run among the others: alone, one
    // after another, they took 200 s of wall time at a third of the cores.
    maxWorkers: 3,
    projects: [
      {
        test: {
          name: 'node',
          environment: 'node',
          include: ['test/**/*.test.ts'],
          exclude: ['test/renderer/**', 'test/e2e/**'],
          globalSetup: ['test/support/postgres-global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
          // Real servers on a loaded 2-core CI machine: a wait is for an outcome, not a speed.
          expect: { poll: { timeout: 15_000, interval: 25 } },
        },
      },
      {
        test: {
          name: 'node-postgres',
          environment: 'node',
          include: STORE_TESTS,
          globalSetup: ['test/support/postgres-global-setup.ts'],
          env: { TEST_DATABASE: 'postgres' },
          testTimeout: 30_000,
          hookTimeout: 60_000,
          expect: { poll: { timeout: 15_000, interval: 25 } },
        },
      },
      {
        esbuild: { jsx: 'automatic' },
        test: {
          name: 'renderer',
          environment: 'jsdom',
          include: ['test/renderer/**/*.test.{ts,tsx}'],
          setupFiles: ['test/renderer/support/setup.ts'],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/e2e/support/renderer-global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          expect: { poll: { timeout: 15_000, interval: 25 } },
        },
      },
    ],
  },
});
