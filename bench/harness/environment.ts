import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';

/** Cores, memory, kernel and the versions that matter, for RESULTS.md. */
export function describeMachine(): string {
  const cores = cpus();
  // Absent where only ClinicPulse was measured (scenarios 9 and 10 need no Nchan).
  const nginx = tryRun('nginx', ['-v']);
  const nchan = tryRun('dpkg-query', ['-W', '-f=${Version}', 'libnginx-mod-nchan']) ?? '?';
  const redis = (tryRun('redis-server', ['--version']) ?? '').match(/v=(\S+)/)?.[1] ?? '?';
  return [
    `${cores.length} cores (${cores[0]?.model.trim() ?? 'unknown'})`,
    `${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM`,
    `Linux ${release()}`,
    `Node ${process.version}`,
    `redis-server ${redis}`,
    ...(nginx ? [`${nginx.replace('nginx version: ', '')} with libnginx-mod-nchan ${nchan}`] : []),
  ].join(', ');
}

/** The commit measured: BENCH_COMMIT when set (a copy of a commit made with `git archive` has no repository). */
export function gitCommit(): string {
  return process.env.BENCH_COMMIT ?? tryRun('git', ['rev-parse', '--short', 'HEAD'])?.trim() ?? 'unknown';
}

/**
 * One process holds every generator stream and every server its connections: the soft limit on
 * open files must exceed the largest stream count. Node cannot raise it itself.
 */
export function checkOpenFileLimit(streams: number): void {
  const limits = readFileSync('/proc/self/limits', 'utf8');
  const match = /^Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/m.exec(limits);
  if (!match) return;
  const soft = match[1] === 'unlimited' ? Number.POSITIVE_INFINITY : Number(match[1]);
  const needed = streams + 1024;
  if (soft < needed) {
    throw new Error(
      `the open-file limit is ${soft}, and ${streams} streams need about ${needed}: run \`ulimit -n ${Math.max(needed, 20000)}\` in this shell first (hard limit: ${match[2]})`,
    );
  }
}

function tryRun(command: string, args: string[]): string | null {
  // nginx -v prints to stderr.
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.error || result.status !== 0) return null;
  return `${result.stdout}${result.stderr}`.trim();
}
