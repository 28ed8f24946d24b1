import { once } from 'node:events';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** Plain CommonJS, evaluated in the worker thread: its own connection, a PASSIVE checkpoint per tick. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 1000');
const checkpoint = () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (error) {
    parentPort.postMessage(error instanceof Error ? error.message : String(error));
  }
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.once('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export interface WalCheckpointer {
  stop(): Promise<void>;
}

/**
 * How many pages the WAL holds before the server's own connection checkpoints, with the worker
 * running (SQLite's default is 1,000). That checkpoint stays: only one in the writer's own
 * connection restarts the WAL from its beginning under steady writes, so it alone keeps the file
 * bounded (here at ≈ 80 MB). But it runs on the event loop and ends in an fsync: at 1,000
 * messages a second (≈ 8 pages each) SQLite's default made it eight times a second, and on this
 * project's VM under that write load a message's p99 was 127–571 ms (six runs of bench
 * scenario 6 at 1,000/s) against 26–106 ms with this (six runs, interleaved with those).
 */
export const SERVER_CHECKPOINT_PAGES = 20_000;

/**
 * Does most of the WAL's checkpointing off the event loop. SQLite checkpoints in the connection
 * whose commit takes the WAL past its `wal_autocheckpoint` pages, and with `synchronous = NORMAL`
 * the checkpoint is where the fsyncs are: under thousands of receipt reports a second that was
 * several fsyncs a second on the server's one thread, up to 155 ms each on this project's VM
 * (strace), every stream waiting meanwhile. A worker thread with its own connection runs a
 * PASSIVE checkpoint (it waits for no reader or writer) every `intervalMs`, so the pages are
 * mostly in the database file and on disk already when the server's connection reaches its own
 * checkpoint, which it then does only every SERVER_CHECKPOINT_PAGES.
 */
export async function startWalCheckpointer(file: string, options: { intervalMs: number; warn(message: string): void }): Promise<WalCheckpointer> {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { module: createRequire(import.meta.url).resolve('better-sqlite3'), file, intervalMs: options.intervalMs },
  });
  worker.on('message', (message: string) => options.warn(`WAL checkpoint failed: ${message}`));
  worker.on('error', (error) => options.warn(`WAL checkpoint worker stopped: ${error.message}`));
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  await once(worker, 'online');
  return {
    async stop() {
      worker.postMessage('stop');
      await exited;
    },
  };
}
