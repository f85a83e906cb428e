/**
 * Cold start to READY=1, as systemd runs the validator: the compiled build installed by systemd/install.sh
 * (--dest-root, a dry install), `node /opt/qom-validator/bin/validator.js run --simulate` with NOTIFY_SOCKET
 * naming a datagram socket that socat reads, timed from spawn() to the READY=1 datagram. Two cases: a
 * provisioned bus (the state directory already holds its journal, deny list, simulation keys and a fare
 * bundle in fares/), and a first boot (an empty state directory). For comparison, the same on a file-by-file
 * tsc build (tsconfig.build.json), which the install does not ship.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ChildDaemon } from '../test/support/child-daemon.ts';
import { FakeNotifySocket } from '../test/support/fake-notify-socket.ts';
import { summarize } from './percentiles.ts';

export const COLD_START_GOAL_MS = 1_000;
const RUNS = Number(process.env['COLD_START_RUNS'] ?? 10);
const TSC_RUNS = Math.max(3, Math.ceil(RUNS / 2));
const READY_TIMEOUT_MS = 20_000;
const repo = fileURLToPath(new URL('..', import.meta.url));

export interface StartTimes {
  readonly samplesMs: readonly number[];
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
}

export interface ColdStartResult {
  readonly runs: number;
  readonly provisioned: StartTimes;
  readonly firstBoot: StartTimes;
  readonly tscProvisioned: StartTimes;
  readonly loadBefore: number;
  readonly loadAfter: number;
}

/** ms from spawn to the READY=1 datagram's arrival for one start of the daemon; the daemon is then stopped with SIGTERM. */
async function timeOneStart(app: string, stateDir: string, notify: FakeNotifySocket): Promise<number> {
  const start = performance.now();
  const daemon = ChildDaemon.start(stateDir, { NOTIFY_SOCKET: notify.address }, { bin: join(app, 'bin/validator.js'), cwd: '/' });
  const failed = daemon.exited().then(() => {
    throw new Error(`the daemon exited before READY=1: ${daemon.stderr.join('')}`);
  });
  try {
    // The notice carries its arrival time: next()'s polling adds nothing to the figure.
    const ready = await Promise.race([notify.next((l) => l === 'READY=1', READY_TIMEOUT_MS, start), failed]);
    return ready.at - start;
  } finally {
    failed.catch(() => undefined);
    await daemon.stop('SIGTERM');
  }
}

/** Median (nearest rank, as every other bench reports it), min and max of the starts. */
function times(samples: number[]): StartTimes {
  return { samplesMs: samples, medianMs: summarize(samples).p50, minMs: Math.min(...samples), maxMs: Math.max(...samples) };
}

/** A dry install into `root` (systemd/install.sh --dest-root), optionally of a given build. */
function install(root: string, dist?: string): string {
  const args = ['systemd/install.sh', '--dest-root', root, ...(dist ? ['--dist', dist] : [])];
  const run = spawnSync('sh', args, { cwd: repo, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`install.sh failed: ${run.stdout}${run.stderr}`);
  return join(root, 'opt/qom-validator');
}

/** A state directory as on a provisioned bus: one start made its journal, keys and deny list; fares/ holds the bundle. */
async function provisionedState(app: string, dir: string, notify: FakeNotifySocket): Promise<string> {
  await timeOneStart(app, dir, notify);
  cpSync(join(repo, 'fares/qom-1404'), join(dir, 'fares'), { recursive: true });
  return dir;
}

export async function runColdStartBench(scratch: string): Promise<ColdStartResult> {
  mkdirSync(scratch, { recursive: true });
  const loadBefore = loadavg()[0]!;
  const app = install(join(scratch, 'root'));
  const tscBuild = join(scratch, 'tsc-dist');
  const tsc = spawnSync(join(repo, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.build.json', '--outDir', tscBuild], { cwd: repo, encoding: 'utf8' });
  if (tsc.status !== 0) throw new Error(`tsc failed: ${tsc.stdout}${tsc.stderr}`);
  const tscApp = install(join(scratch, 'tsc-root'), tscBuild);
  const notify = await FakeNotifySocket.open(join(scratch, 'notify.sock'));
  try {
    const state = await provisionedState(app, join(scratch, 'provisioned'), notify);
    const tscState = await provisionedState(tscApp, join(scratch, 'tsc-provisioned'), notify);
    const provisioned: number[] = [];
    const firstBoot: number[] = [];
    const tscProvisioned: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      provisioned.push(await timeOneStart(app, state, notify));
      const fresh = join(scratch, `first-boot-${i}`);
      firstBoot.push(await timeOneStart(app, fresh, notify));
      rmSync(fresh, { recursive: true, force: true });
      if (i < TSC_RUNS) tscProvisioned.push(await timeOneStart(tscApp, tscState, notify));
    }
    return {
      runs: RUNS,
      provisioned: times(provisioned),
      firstBoot: times(firstBoot),
      tscProvisioned: times(tscProvisioned),
      loadBefore,
      loadAfter: loadavg()[0]!,
    };
  } finally {
    await notify.close();
  }
}

const ms = (v: number): string => v.toFixed(0);

export function formatColdStartBench(r: ColdStartResult): string[] {
  const row = (name: string, t: StartTimes): string =>
    `${name.padEnd(44)}${String(t.samplesMs.length).padStart(4)}${ms(t.medianMs).padStart(10)}${ms(t.minMs).padStart(8)}${ms(t.maxMs).padStart(8)}`;
  return [
    `${'cold start to READY=1'.padEnd(44)}${'n'.padStart(4)}${'median'.padStart(10)}${'min'.padStart(8)}${'max'.padStart(8)}  (ms; goal ${COLD_START_GOAL_MS})`,
    row('provisioned state, bundle (installed)', r.provisioned),
    row('first boot, bundle (installed)', r.firstBoot),
    row('provisioned state, tsc file by file', r.tscProvisioned),
    `1-minute load average ${r.loadBefore.toFixed(1)} → ${r.loadAfter.toFixed(1)}`,
  ];
}

export function coldStartBenchMarkdown(r: ColdStartResult): string {
  const verdict = (t: StartTimes): string => (t.medianMs <= COLD_START_GOAL_MS ? 'within the goal' : '**over the goal**');
  const row = (name: string, t: StartTimes, goal: boolean): string =>
    `| ${name} | ${t.samplesMs.length} | ${ms(t.medianMs)} | ${ms(t.minMs)} | ${ms(t.maxMs)} | ${goal ? verdict(t) : 'not shipped'} |`;
  return `## Cold start under systemd

Written by \`bench/cold-start.ts\` (part of \`npm run bench\`; alone: \`npx tsx bench/run.ts --only cold-start\`).
Time from \`spawn()\` of \`node /opt/qom-validator/bin/validator.js run --simulate\` to the \`READY=1\`
datagram on a fake \`NOTIFY_SOCKET\` (socat), as systemd would see it: the code is the build that
\`systemd/install.sh --dest-root\` installed (\`npm run build\`'s bundle, production node_modules, no
\`src/\`). READY comes once the journal is open, the deny list and fares are loaded, the control socket
listens and both (simulated) readers are up. Each start is stopped with SIGTERM before the next.

- **provisioned**: the state directory already holds the journal, the simulation keys, the deny list (the
  simulation's, one card; a 10-million-card snapshot adds its load time, about 0.1 s: see "Deny list"
  above) and the fare bundle in \`fares/\`, as on a bus in service.
- **first boot**: an empty state directory: the start also makes the journal, the simulation keys and the
  simulated deny list.
- **tsc file by file**: the same provisioned start on \`tsc -p tsconfig.build.json\`'s output, one file per
  module, which the install does not ship: why the build is a bundle. Node 20 spends most of a cold start
  resolving and loading modules (about 700 of them, rxjs alone 223).

| Start | n | median ms | min ms | max ms | goal ${COLD_START_GOAL_MS} ms |
| --- | ---: | ---: | ---: | ---: | --- |
${row('provisioned state, bundle', r.provisioned, true)}
${row('first boot, bundle', r.firstBoot, true)}
${row('provisioned state, tsc file by file', r.tscProvisioned, false)}

The machine was shared while this ran (1-minute load average ${r.loadBefore.toFixed(1)} before, ${r.loadAfter.toFixed(1)}
after, on the CPUs in "Run" above): on a quiet one the figures are lower.
`;
}

const SECTION_HEADING = '## Cold start under systemd';

/** `bench/run.ts --only cold-start`: this section alone, put in place of its old text in docs/performance.md. */
export async function coldStartOnly(scratch: string): Promise<void> {
  const result = await runColdStartBench(scratch);
  formatColdStartBench(result).forEach((line) => console.log(line));
  const docPath = join(repo, 'docs', 'performance.md');
  const doc = readFileSync(docPath, 'utf8');
  const start = doc.indexOf(SECTION_HEADING);
  const next = start < 0 ? -1 : doc.indexOf('\n## ', start + SECTION_HEADING.length);
  const section = coldStartBenchMarkdown(result).trim();
  const updated = start < 0 ? `${doc.trimEnd()}\n\n${section}\n` : `${doc.slice(0, start)}${section}\n${next < 0 ? '' : doc.slice(next)}`;
  writeFileSync(docPath, updated);
  console.log(`\nwrote the cold start section of ${docPath}`);
}
