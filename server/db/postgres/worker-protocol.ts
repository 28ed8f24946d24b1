/** What PostgresDatabase asks its worker thread, and what it answers. */
export type WorkerRequest =
  | {
      op: 'open';
      handle: number;
      url: string;
      settings: { connectTimeoutMs: number; statementTimeoutMs: number; holdAfterFailureMs: number };
    }
  | { op: 'query'; handle: number; sql: string; params: unknown[]; generation?: number | undefined }
  | { op: 'exec'; handle: number; sql: string; generation?: number | undefined }
  | { op: 'close'; handle: number };

export interface WorkerReply {
  /** Each row as its column values, in the order of `fields`. */
  rows: unknown[][];
  fields: string[];
  rowCount: number;
  /** Which connection answered: a transaction stays on the one that began it. */
  generation: number;
}
