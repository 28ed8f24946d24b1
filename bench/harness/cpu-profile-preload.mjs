// Preloaded into a ClinicPulse server by `npm run bench -- --profile` (NODE_OPTIONS=--import …,
// since Node 20 refuses --cpu-prof in NODE_OPTIONS): runs the V8 CPU profiler for the whole life
// of the process and writes a .cpuprofile into $BENCH_CPU_PROFILE_DIR when it exits. The
// in-thread inspector session answers synchronously, so this works inside the 'exit' handler.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

const directory = process.env.BENCH_CPU_PROFILE_DIR;
if (directory) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 200 });
  session.post('Profiler.start');
  process.on('exit', () => {
    session.post('Profiler.stop', (error, result) => {
      if (!error) writeFileSync(join(directory, `server-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
