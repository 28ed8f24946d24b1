import { copySqliteToPostgres } from '../../server/db/copy-to-postgres.js';
import { openDatabase, openPostgresDatabase } from '../../server/db/database.js';
import { startTestPostgres } from '../../test/support/postgres-server.js';
import { startTestRedisCluster } from '../../test/support/redis-cluster.js';

/** What the scaled scenarios' server processes share: PostgreSQL and a Redis Cluster. */
export interface ScaledData {
  databaseUrl: string;
  /** `host:port,…` of every cluster node (REDIS_CLUSTER_NODES), and the first node's URL. */
  clusterNodes: string;
  redisUrl: string;
  /** Every Redis node (three primaries, three replicas), for their CPU and memory. */
  redisPids(): number[];
  /** The PostgreSQL postmaster, whose backends do the database's work. */
  postgresPid(): number;
  stop(): Promise<void>;
}

/**
 * A three-primary Redis Cluster (one replica each) and a PostgreSQL server, both on loopback in
 * temporary directories (the test harness's own), with the bench users copied into a new
 * database from the SQLite template every run starts from.
 */
export async function startScaledData(usersDatabaseFile: string): Promise<ScaledData> {
  const cluster = await startTestRedisCluster();
  try {
    const postgres = await startTestPostgres();
    try {
      const databaseUrl = await postgres.createDatabase();
      const sqlite = openDatabase(usersDatabaseFile);
      const target = openPostgresDatabase(databaseUrl);
      try {
        copySqliteToPostgres(sqlite, target);
      } finally {
        target.close();
        sqlite.close();
      }
      return {
        databaseUrl,
        clusterNodes: cluster.nodes,
        redisUrl: cluster.url,
        redisPids: () => cluster.pids(),
        postgresPid: () => postgres.pid(),
        async stop() {
          await postgres.stop();
          await cluster.stop();
        },
      };
    } catch (error) {
      await postgres.stop();
      throw error;
    }
  } catch (error) {
    await cluster.stop();
    throw error;
  }
}
