import type { SystemNotificationRequest } from '../../common/api.js';
import { BENCH_ADMIN_USER_ID } from './bench-admin.js';
import { HttpConnection } from './http-connection.js';
import { sessionToken, userIdOf, type Endpoint, type SystemConfig } from './systems.js';

/**
 * The admin's notices of the receipts scenario: `POST /api/admin/system-notifications` to named
 * users, which records the notice and its alert (one alert, a recipient row per user) in one
 * transaction and publishes one `system_notification` carrying `alert_id` to each of them. A
 * few keep-alive connections, used in turn (and across the servers, when there are several), so
 * one slow answer does not hold back the notices due behind it.
 */
export class NoticeSenders {
  private readonly connections: HttpConnection[];
  private readonly headers: Record<string, string>;
  private next = 0;

  constructor(config: SystemConfig, connections: number) {
    this.connections = Array.from(
      { length: connections },
      (_, index) => new HttpConnection(config.endpoints[index % config.endpoints.length] as Endpoint),
    );
    this.headers = { Authorization: `Bearer ${sessionToken(config.tokenSeed, BENCH_ADMIN_USER_ID)}` };
  }

  /** One notice to the bench users of these stream indexes; resolves once the server answered 200. */
  async send(streams: readonly number[], content: string): Promise<void> {
    const connection = this.connections[this.next++ % this.connections.length] as HttpConnection;
    const request: SystemNotificationRequest = { content, userIds: streams.map(userIdOf) };
    const answer = await connection.post('/api/admin/system-notifications', this.headers, JSON.stringify(request));
    if (answer.status !== 200) throw new Error(`notice: HTTP ${answer.status} ${answer.body.slice(0, 200)}`);
  }

  close(): void {
    for (const connection of this.connections) connection.close();
  }
}
