/**
 * Command-line settings for a redis-server of our own, on loopback unless `bind` names another
 * address: no RDB snapshots, and an append-only file in `dir` when the data should survive a restart.
 */
export function redisServerArguments(options: {
  port: number;
  dir: string;
  appendOnly: boolean;
  bind?: string;
  extra?: string[];
}): string[] {
  const bind = options.bind ?? '127.0.0.1';
  return [
    '--port', String(options.port),
    '--bind', bind,
    // Protected mode refuses every client but loopback's when there is no password.
    ...(bind === '127.0.0.1' ? [] : ['--protected-mode', 'no']),
    '--dir', options.dir,
    '--save', '',
    '--appendonly', options.appendOnly ? 'yes' : 'no',
    '--daemonize', 'no',
    ...(options.extra ?? []),
  ];
}
