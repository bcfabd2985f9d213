/**
 * One writer per warehouse file: a lock file beside it naming the holder (command, host,
 * PID, since). STUB: the pipeline helper replaces this with the real implementation.
 */
export interface LockHolder {
  command: string;
  pid: number;
  host: string;
  since: string;
}

export interface WarehouseLock {
  file: string;
  release(): void;
}

/** Take the lock of `warehousePath` for `command`; throws a CcoError naming the holder when held and alive. */
export function acquireWarehouseLock(
  _warehousePath: string,
  _command: string,
  _options: { staleMinutes: number },
): WarehouseLock {
  throw new Error("not built yet");
}
