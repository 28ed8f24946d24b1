/**
 * Command-line settings for a redis-server of our own on loopback: no RDB snapshots, and an
 * append-only file in `dir` when the data should survive a restart.
 */
export function redisServerArguments(options: {
  port: number;
  dir: string;
  appendOnly: boolean;
  extra?: string[];
}): string[] {
  return [
    '--port', String(options.port),
    '--bind', '127.0.0.1',
    '--dir', options.dir,
    '--save', '',
    '--appendonly', options.appendOnly ? 'yes' : 'no',
    '--daemonize', 'no',
    ...(options.extra ?? []),
  ];
}
