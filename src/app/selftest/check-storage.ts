/** The state directory takes a durable write and has room; the journal opens and its hash chain holds. */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describeError } from '../../domain/errors.ts';
import { writeFileDurablySync } from '../../fs/durable-file.ts';
import { systemStatFs } from '../../journal/disk.ts';
import { ReadOnlyJournal } from '../../journal/read-only-journal.ts';
import { problemsBesideReaders } from '../status-report.ts';
import { fail, FROM_DAEMON, pass, skip, type Check } from './check.ts';

const MIB = 1024 * 1024;

export const checkStateDir: Check = (ctx) => {
  const dir = ctx.paths.stateDir;
  const name = 'state dir';
  if (!existsSync(dir)) return [fail(name, `${dir} does not exist`, `create it for the validator's user (systemd's StateDirectory=validator does), or pass --state-dir`)];
  // The same durable write the daemon relies on (src/fs/durable-file.ts); the probe goes however it ends.
  const probe = join(dir, `.selftest-${process.pid}`);
  try {
    writeFileDurablySync(probe, 'selftest\n', { mode: 0o600 });
  } catch (e) {
    return [fail(name, `${dir} does not take a durable write: ${describeError(e)}`, `make it writable by the validator's user (chown), and check the filesystem is mounted read-write (mount | grep ' / ')`)];
  } finally {
    rmSync(probe, { force: true });
  }
  const free = systemStatFs(dir).freeBytes;
  const wanted = ctx.config.journal.pruneWhenFreeBelowMiB * MIB;
  const shown = `${(free / MIB).toFixed(0)} MiB free`;
  if (free < wanted) {
    return [
      fail(
        name,
        `${dir} is writable but only ${shown}, below journal.pruneWhenFreeBelowMiB (${ctx.config.journal.pruneWhenFreeBelowMiB} MiB); debits stop below ${ctx.config.journal.minFreeMiB} MiB`,
        `free space on that filesystem (du -sh ${dir}/*; old logs: journalctl --vacuum-size=100M), or sync so synced taps can be pruned`,
      ),
    ];
  }
  return [pass(name, `${dir} takes a durable write; ${shown} (at least ${ctx.config.journal.pruneWhenFreeBelowMiB} MiB wanted)`)];
};

export const checkJournal: Check = (ctx) => {
  const path = ctx.paths.journal;
  const daemon = ctx.daemon;
  if (daemon !== null) {
    // The daemon holds the journal exclusively; what it says of it is all there is to read while it runs.
    const trouble = problemsBesideReaders(daemon);
    const stats = `${records(daemon.journal.records)}, last seq ${daemon.journal.lastSeq}`;
    return [
      trouble.length > 0
        ? fail('journal', `${path}: ${trouble.join('; ')}`, 'follow what the message says; the daemon\'s log: journalctl -u validator -n 50')
        : pass('journal', `${path}: writable, ${stats} (${FROM_DAEMON})`),
      skip('journal chain', 'the running validator holds the journal exclusively', 'to verify the hash chain: sudo systemctl stop validator && validator selftest && sudo systemctl start validator'),
    ];
  }
  if (!existsSync(path)) return [skip('journal', `no journal at ${path} yet: no validator has run with this state directory`)];
  let journal: ReadOnlyJournal;
  try {
    journal = ReadOnlyJournal.open(path);
  } catch (e) {
    return [fail('journal', describeError(e), 'if a validator process still runs, stop it (sudo systemctl stop validator); then run selftest again')];
  }
  try {
    const stats = journal.stats();
    const report = journal.verify();
    const opened = pass('journal', `${path}: opens, ${records(stats.records)}, last seq ${stats.lastSeq}, synced through ${stats.syncedThrough}`);
    if (report.ok) return [opened, pass('journal chain', `${records(report.records)} verified: SQLite integrity, no gap in seq, every hash and link, every debit intent`)];
    const shown = report.problems.slice(0, 3).join('; ') + (report.problems.length > 3 ? ` (and ${report.problems.length - 3} more)` : '');
    return [
      opened,
      fail(
        'journal chain',
        `${report.problems.length} problem${report.problems.length === 1 ? '' : 's'}: ${shown}`,
        `do not delete or edit it: keep a copy (cp ${path}* /media/usb/) for the backend's operators, who refuse a broken chain at upload (docs/journal-format.md)`,
      ),
    ];
  } finally {
    journal.close();
  }
};

function records(n: number): string {
  return `${n} record${n === 1 ? '' : 's'}`;
}
