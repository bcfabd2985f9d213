/**
 * One writer per warehouse file: `<warehouse>.lock` beside it, created exclusively (O_EXCL),
 * naming its holder (command, PID, host, since). DuckDB refuses a second writing process
 * anyway; the lock says who holds the file, covers a service's whole lifetime and is taken
 * before the warehouse is opened. A lock left by a process that died (killed, power cut) is
 * stale and taken over with a warning: on this host when its PID is not running, on another
 * host (a shared disk) when it is older than pipeline.lock_stale_minutes.
 */
import { linkSync, mkdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { CcoError } from "../core/errors.ts";

export interface LockHolder {
  command: string;
  pid: number;
  host: string;
  since: string;
}

export interface WarehouseLock {
  file: string;
  holder: LockHolder;
  /** Removes the lock file if it is still this one's; also done when the process exits. */
  release(): void;
}

/** The warehouse is locked by a live process (exit 1): the message names it. */
export class WarehouseLockedError extends CcoError {
  constructor(
    readonly file: string,
    readonly holder: LockHolder | undefined,
    detail: string,
  ) {
    super(`${file}: ${detail}`);
  }
}

/** A lock file being written right now has no content for this long at most. */
const UNREADABLE_GRACE_MS = 10_000;

/** Take the lock of `warehousePath` for `command`; throws WarehouseLockedError naming the holder when held and alive. */
export function acquireWarehouseLock(
  warehousePath: string,
  command: string,
  options: { staleMinutes: number; warn?: (message: string) => void; now?: () => Date },
): WarehouseLock {
  const file = `${warehousePath}.lock`;
  const now = options.now ?? (() => new Date());
  const holder: LockHolder = { command, pid: process.pid, host: os.hostname(), since: now().toISOString() };
  const content = JSON.stringify(holder);
  mkdirSync(path.dirname(file), { recursive: true });
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      writeFileSync(file, content, { flag: "wx" });
      return held(file, holder, content);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const found = readLock(file);
    if (found === undefined) continue; // released meanwhile: try again
    const stale = staleness(file, found, options.staleMinutes, now());
    if (!stale) throw lockedError(file, found);
    if (takeOver(file, found.text)) options.warn?.(`${file}: stale lock taken over (${stale})`);
  }
  throw new WarehouseLockedError(file, undefined, "the lock keeps changing hands; try again");
}

function held(file: string, holder: LockHolder, content: string): WarehouseLock {
  const release = () => {
    process.removeListener("exit", release);
    try {
      if (readFileSync(file, "utf8") === content) unlinkSync(file);
    } catch {
      // Gone already (or taken over as stale): nothing of ours to remove.
    }
  };
  process.on("exit", release);
  return { file, holder, release };
}

function readLock(file: string): { text: string; holder?: LockHolder } | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  try {
    const holder = JSON.parse(text) as LockHolder;
    if (typeof holder.pid === "number" && typeof holder.host === "string") return { text, holder };
  } catch {
    // Being written this instant, or left half-written by a crash: judged by its age below.
  }
  return { text };
}

/** Why the lock is stale, or undefined when its holder may still be alive. */
function staleness(
  file: string,
  found: { holder?: LockHolder },
  staleMinutes: number,
  now: Date,
): string | undefined {
  const { holder } = found;
  if (!holder) {
    const age = now.getTime() - (statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0);
    return age > UNREADABLE_GRACE_MS ? "its content is not a lock holder" : undefined;
  }
  if (holder.host === os.hostname()) {
    return processAlive(holder.pid)
      ? undefined
      : `PID ${holder.pid} ('${holder.command}' since ${holder.since}) is not running`;
  }
  const ageMinutes = (now.getTime() - Date.parse(holder.since)) / 60_000;
  return ageMinutes > staleMinutes
    ? `held by '${holder.command}' on ${holder.host} since ${holder.since}, over ${staleMinutes} minutes ago`
    : undefined;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Remove the stale lock, unless another process replaced it since it was read: it is moved
 * aside first (atomic), and put back if what was moved is not the stale content.
 */
function takeOver(file: string, staleText: string): boolean {
  const aside = `${file}.stale-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    renameSync(file, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
  if (readFileSync(aside, "utf8") !== staleText) {
    try {
      linkSync(aside, file);
    } catch {
      // Someone took the lock meanwhile: theirs stands.
    }
    unlinkSync(aside);
    return false;
  }
  unlinkSync(aside);
  return true;
}

function lockedError(file: string, found: { holder?: LockHolder }): WarehouseLockedError {
  const h = found.holder;
  if (!h) return new WarehouseLockedError(file, undefined, "the lock is being taken by another process");
  const where = h.host === os.hostname() ? "" : ` on ${h.host}`;
  return new WarehouseLockedError(
    file,
    h,
    `the warehouse is locked by '${h.command}' (PID ${h.pid}${where}) since ${h.since}; ` +
      "wait for it to finish, or stop it (a lock whose process has died is taken over by the next run)",
  );
}
