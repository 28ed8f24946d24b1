/**
 * `npm run server`: the server alone, against the configured Redis — what a clinic's IT admin
 * runs as a service. Reads `.env` when present; SIGTERM or SIGINT shut it down gracefully.
 */
import { config as loadDotenv } from 'dotenv';
import { ConfigError, loadConfig, type Config } from './config.js';
import { startServer } from './server.js';

/** A shutdown that takes longer than this (a stuck connection) ends the process anyway. */
const SHUTDOWN_TIMEOUT_MS = 15_000;

loadDotenv({ quiet: true });

let config: Config;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(`ClinicPulse: ${error.message}`);
    process.exit(1);
  }
  throw error;
}

const server = await startServer(config, { demoData: config.demoData }).catch((error: unknown) => {
  console.error(
    `ClinicPulse: could not start: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(1);
});

let stopping = false;
const stop = (signal: NodeJS.Signals) => {
  if (stopping) {
    console.error(`ClinicPulse: ${signal} again, exiting without waiting`);
    process.exit(1);
  }
  stopping = true;
  setTimeout(() => {
    console.error('ClinicPulse: shutdown took too long, exiting');
    process.exit(1);
  }, SHUTDOWN_TIMEOUT_MS).unref();
  server.close().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error('ClinicPulse: error while shutting down', error);
      process.exit(1);
    },
  );
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
