import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { BENCH_DIR, loadRawRecord, type ScenarioRecord } from './results-store.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const WIDTH = 900;
const HEIGHT = 420;
const MARGIN = { left: 60, right: 20, top: 30, bottom: 45 };
const TAIL_DECADES = 4;
const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];

interface Curve {
  label: string;
  phase: string;
  dashed: boolean;
  sorted: number[];
}

/**
 * One PNG per scenario: the latency distribution (CDF, log time axis) of every phase, ClinicPulse
 * solid and Nchan dashed, from the raw record in bench/out the summary was made from. Drawn as SVG and photographed by
 * headless Chromium (Debian's), since the repository has no plotting library. Returns the files
 * (relative to bench/) per scenario; scenarios without raw data keep a PNG made earlier.
 */
export async function renderPlots(summaries: readonly ScenarioRecord[]): Promise<Map<string, string>> {
  const plots = new Map<string, string>();
  const pages: [string, string][] = [];
  for (const summary of summaries) {
    const scenario = summary.scenario;
    const file = `latency-scenario-${scenario}.png`;
    const record = loadRawRecord(summary);
    const curves = record ? curvesOf(record) : [];
    if (curves.length > 0) pages.push([scenario, svg(record as ScenarioRecord, curves)]);
    else if (existsSync(join(BENCH_DIR, file))) plots.set(scenario, file);
  }
  if (pages.length === 0 || !existsSync(CHROMIUM)) return plots;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage({ viewport: { width: WIDTH, height: HEIGHT } });
    for (const [scenario, markup] of pages) {
      const file = `latency-scenario-${scenario}.png`;
      await page.setContent(`<!doctype html><html><body style="margin:0;background:#fff">${markup}</body></html>`);
      await page.screenshot({ path: join(BENCH_DIR, file) });
      plots.set(scenario, file);
    }
  } finally {
    await browser.close();
  }
  return plots;
}

/** Every run's samples of a phase pooled per system. */
function curvesOf(record: ScenarioRecord): Curve[] {
  const byPhase = new Map<string, number[]>();
  for (const run of record.runs) {
    for (const phase of run.result.phases) {
      if (!phase.latencySample || phase.latencySample.length === 0) continue;
      const key = `${run.system}\u0000${phase.name}`;
      byPhase.set(key, [...(byPhase.get(key) ?? []), ...phase.latencySample]);
    }
  }
  return [...byPhase.entries()]
    .map(([key, samples]) => {
      const [system, name] = key.split('\u0000') as [string, string];
      return { label: `${system === 'clinicpulse' ? 'ClinicPulse' : 'Nchan'} ${name}`, phase: name, dashed: system === 'nchan', sorted: samples.filter((x) => x > 0).sort((a, b) => a - b) };
    })
    .filter((curve) => curve.sorted.length > 0);
}

function svg(record: ScenarioRecord, curves: Curve[]): string {
  const all = curves.flatMap((curve) => [curve.sorted[0] as number, curve.sorted.at(-1) as number]);
  const low = 10 ** Math.floor(Math.log10(Math.max(0.01, Math.min(...all))));
  const high = 10 ** Math.ceil(Math.log10(Math.max(...all)));
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (ms: number) => MARGIN.left + ((Math.log10(ms) - Math.log10(low)) / (Math.log10(high) - Math.log10(low))) * plotWidth;
  // Tail scale: p50, p90, p99, p99.9 equally spaced, so the tail that matters is visible.
  const y = (fraction: number) => MARGIN.top + (1 - Math.min(TAIL_DECADES, -Math.log10(Math.max(1e-9, 1 - fraction))) / TAIL_DECADES) * plotHeight;
  const parts: string[] = [];
  for (let decade = low; decade <= high * 1.0001; decade *= 10) {
    parts.push(`<line x1="${x(decade)}" x2="${x(decade)}" y1="${MARGIN.top}" y2="${HEIGHT - MARGIN.bottom}" stroke="#ddd"/>`);
    parts.push(`<text x="${x(decade)}" y="${HEIGHT - MARGIN.bottom + 16}" font-size="12" text-anchor="middle">${decade >= 1 ? decade.toFixed(0) : decade}</text>`);
  }
  for (const [fraction, label] of [[0, 'p0'], [0.5, 'p50'], [0.9, 'p90'], [0.99, 'p99'], [0.999, 'p99.9'], [0.9999, 'p99.99']] as const) {
    parts.push(`<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y(fraction)}" y2="${y(fraction)}" stroke="#eee"/>`);
    parts.push(`<text x="${MARGIN.left - 6}" y="${y(fraction) + 4}" font-size="11" text-anchor="end">${label}</text>`);
  }
  const phaseNames = [...new Set(curves.map((curve) => curve.phase))];
  const legend: string[] = [];
  legend.push(`<rect x="${WIDTH - 308}" y="${MARGIN.top + 208}" width="296" height="${curves.length * 16 + 8}" fill="#fff" fill-opacity="0.9" stroke="#ccc"/>`);
  curves.forEach((curve, index) => {
    const colour = COLOURS[phaseNames.indexOf(curve.phase) % COLOURS.length] ?? '#000';
    const step = Math.max(1, Math.floor(curve.sorted.length / 400));
    const points: string[] = [];
    const n = curve.sorted.length;
    const at = (i: number) => `${x(curve.sorted[i] as number).toFixed(1)},${y(i / n).toFixed(1)}`;
    // Evenly over the body, every point in the top 1 %, where the tail lives.
    for (let i = 0; i < n; i += i < n * 0.99 ? step : 1) points.push(at(i));
    points.push(at(n - 1));
    parts.push(`<polyline fill="none" stroke="${colour}" stroke-width="2" ${curve.dashed ? 'stroke-dasharray="6 4"' : ''} points="${points.join(' ')}"/>`);
    legend.push(`<line x1="${WIDTH - 300}" x2="${WIDTH - 270}" y1="${MARGIN.top + 220 + index * 16}" y2="${MARGIN.top + 220 + index * 16}" stroke="${colour}" stroke-width="2" ${curve.dashed ? 'stroke-dasharray="6 4"' : ''}/>`);
    legend.push(`<text x="${WIDTH - 264}" y="${MARGIN.top + 224 + index * 16}" font-size="12">${curve.label}</text>`);
  });
  parts.push(...legend);
  const title = `Scenario ${record.scenario}: ${record.title} — latency percentiles, all runs pooled (ms, log scale), commit ${record.commit}`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" font-family="sans-serif">
<text x="${MARGIN.left}" y="18" font-size="14">${title}</text>
<text x="${MARGIN.left + plotWidth / 2}" y="${HEIGHT - 8}" font-size="12" text-anchor="middle">${record.scenario === '4' ? 'reconnect request → 1,000th replayed event, ms' : 'publish → arrival, ms'}</text>
${parts.join('\n')}
</svg>`;
}
