/**
 * `npx tsx bench/profile-summary.ts FILE.cpuprofile [TOP]` — the functions that took the most CPU
 * (self time) in a V8 CPU profile (`node --cpu-prof`, see `npm run bench -- --profile`), and the
 * same grouped by package or folder, for RESULTS.md.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const [file, topArgument] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: npx tsx bench/profile-summary.ts FILE.cpuprofile [TOP]\n');
  process.exit(2);
}
const top = Number(topArgument ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;

const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const selfMicros = new Map<number, number>();
profile.samples.forEach((id, index) => selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0)));
const total = [...selfMicros.values()].reduce((sum, value) => sum + value, 0);

const byFunction = new Map<string, number>();
const byArea = new Map<string, number>();
for (const [id, micros] of selfMicros) {
  const frame = (byId.get(id) as ProfileNode).callFrame;
  const where = shortUrl(frame.url);
  const name = `${frame.functionName || '(anonymous)'} ${where ? `${where}:${frame.lineNumber + 1}` : ''}`.trim();
  byFunction.set(name, (byFunction.get(name) ?? 0) + micros);
  const area = areaOf(frame.url, frame.functionName);
  byArea.set(area, (byArea.get(area) ?? 0) + micros);
}

const print = (title: string, entries: Map<string, number>, limit: number) => {
  process.stdout.write(`\n${title}\n| self ms | % | function |\n|---:|---:|---|\n`);
  for (const [name, micros] of [...entries].sort((a, b) => b[1] - a[1]).slice(0, limit)) {
    process.stdout.write(`| ${(micros / 1000).toFixed(0)} | ${((micros / total) * 100).toFixed(1)} | ${name.replace(/\|/g, '\\|')} |\n`);
  }
};
process.stdout.write(`${file}: ${(total / 1e6).toFixed(2)} s of samples over ${((profile.endTime - profile.startTime) / 1e6).toFixed(1)} s\n`);
print('By area', byArea, 15);
print('Top functions (self time)', byFunction, top);

function shortUrl(url: string): string {
  const at = url.lastIndexOf('node_modules/');
  if (at !== -1) return url.slice(at + 'node_modules/'.length);
  const root = url.indexOf('/server/') !== -1 ? url.slice(url.indexOf('/server/') + 1) : url.indexOf('/common/') !== -1 ? url.slice(url.indexOf('/common/') + 1) : url;
  return root.replace(/^file:\/\//, '');
}

function areaOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native / V8 builtins)';
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  const modules = url.lastIndexOf('node_modules/');
  if (modules !== -1) {
    const rest = url.slice(modules + 'node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? url);
  }
  const match = /\/(server\/[^/]+|common)\//.exec(url);
  return match ? (match[1] as string) : url;
}
