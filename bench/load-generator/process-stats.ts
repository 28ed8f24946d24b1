import { readFileSync, readdirSync } from 'node:fs';

/** Kernel clock ticks per second for /proc/<pid>/stat times (USER_HZ; 100 on Linux). */
const CLOCK_TICKS = 100;

export interface ProcessSample {
  /** Sum of VmRSS over the group, bytes. */
  rssBytes: number;
  /** Sum of utime + stime over the group, seconds. */
  cpuSeconds: number;
}

/** A process and, for nginx, its workers: every live descendant is counted. */
export function processGroup(rootPid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (!stat) continue;
    const list = children.get(stat.ppid) ?? [];
    list.push(Number(entry));
    children.set(stat.ppid, list);
  }
  const group: number[] = [];
  const queue = [rootPid];
  while (queue.length > 0) {
    const pid = queue.shift() as number;
    group.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return group;
}

export function sampleProcesses(pids: readonly number[]): ProcessSample {
  let rssBytes = 0;
  let cpuSeconds = 0;
  for (const pid of pids) {
    rssBytes += readRss(pid);
    const stat = readStat(pid);
    if (stat) cpuSeconds += stat.cpuSeconds;
  }
  return { rssBytes, cpuSeconds };
}

function readRss(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'latin1'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

function readStat(pid: number): { ppid: number; cpuSeconds: number } | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return null;
  }
  // The command name is in parentheses and may hold spaces: fields are counted after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const ppid = Number(fields[1]);
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return { ppid, cpuSeconds: (utime + stime) / CLOCK_TICKS };
}
