/**
 * Ticks, counted with one shared `process.nextTick` per tick rather than one per stream: a stream
 * that writes a second time within a tick corks, and is uncorked when the tick ends, so a burst
 * leaves in one system call while a lone frame (the common case: a fan-out, a single event) goes
 * out at once with no cork at all.
 */
let tick = 0;
let endScheduled = false;
const corkedUntilTickEnd: { uncork(): void }[] = [];

function endTick(): void {
  endScheduled = false;
  tick++;
  for (const stream of corkedUntilTickEnd.splice(0)) stream.uncork();
}

export function currentTick(): number {
  if (!endScheduled) {
    endScheduled = true;
    process.nextTick(endTick);
  }
  return tick;
}

/** Corks now and uncorks when the current tick ends. */
export function corkUntilTickEnds(stream: { cork(): void; uncork(): void }): void {
  stream.cork();
  corkedUntilTickEnd.push(stream);
}
