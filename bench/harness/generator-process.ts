import { fork } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GeneratorReply, GeneratorRequest } from '../load-generator/main.js';
import type { ScenarioResult } from '../load-generator/scenario-types.js';

const GENERATOR = join(dirname(fileURLToPath(import.meta.url)), '..', 'load-generator', 'main.ts');

/**
 * Runs one job in a fresh generator process; rejects when it fails or exceeds `timeoutMs`. With
 * `profileDir` the generator writes a V8 CPU profile there when it exits.
 */
export function runGenerator(request: GeneratorRequest, timeoutMs: number, profileDir?: string): Promise<ScenarioResult> {
  return new Promise((resolve, reject) => {
    const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
    const child = fork(GENERATOR, [], { execArgv: ['--import', 'tsx', ...profile], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let reply: GeneratorReply | undefined;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`generator ${request.label} ran longer than ${timeoutMs / 1000} s`));
    }, timeoutMs);
    child.once('message', (message: GeneratorReply) => (reply = message));
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (reply?.ok) resolve(reply.result);
      else reject(new Error(`generator ${request.label} failed (exit ${code}): ${reply && !reply.ok ? reply.error : 'no reply'}`));
    });
    child.send(request);
  });
}
