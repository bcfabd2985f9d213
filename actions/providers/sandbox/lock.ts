/**
 * A lock file beside the state, so two processes never interleave read-change-write of the
 * sandbox. Created with O_EXCL and holding the owner's pid: a lock left by a process that was
 * killed (the crash tests kill -9 the executor) is taken over, never waited on forever.
 * Inside one process the critical sections are synchronous, so calls cannot interleave.
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from "node:fs";
import path from "node:path";

const WAIT_MS = 15_000;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Run `work` holding the lock file `file`; synchronous so no other call of this process runs meanwhile. */
export function withLock<T>(file: string, work: () => T): T {
  mkdirSync(path.dirname(file), { recursive: true });
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    try {
      const fd = openSync(file, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      let owner = Number.NaN;
      try {
        owner = Number(readFileSync(file, "utf8"));
      } catch {
        continue; // released between our open and our read
      }
      if (owner === process.pid) throw new Error(`${file}: the sandbox lock is already held by this process`);
      // No pid yet and old: its owner died between creating the file and writing its pid.
      const orphan =
        !(owner > 0) &&
        Date.now() - (statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? Date.now()) > 2000;
      if (orphan || (Number.isInteger(owner) && owner > 0 && !alive(owner))) {
        rmSync(file, { force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new Error(
          `${file}: the sandbox is locked by process ${owner} for more than ${WAIT_MS / 1000}s`,
        );
      }
      Atomics.wait(sleeper, 0, 0, 25);
    }
  }
  try {
    return work();
  } finally {
    rmSync(file, { force: true });
  }
}
