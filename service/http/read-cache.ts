/**
 * A short-lived cache of GET answers that do not depend on who asks (lists and details of
 * recommendations, approvals, actions, anomalies, audit, runs): each distinct URL is computed at
 * most once per service.read_cache_ms, however many clients ask meanwhile (they share the one
 * computation), and a recent answer is served while the next one is computed, so no request
 * waits for a recomputation. Any change made through the service (a request that is not a GET,
 * an executor run, a pipeline step) empties it, so a client reads its own writes at once; changes
 * the executor or the pipeline make mid-run show within twice read_cache_ms.
 */
const DUCKDB_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?[+-]\d{2}(:?\d{2})?$/;

/** DuckDB's text for a TIMESTAMPTZ (2026-11-30 21:52:50.619+00) goes out as ISO 8601 (2026-11-30T21:52:50.619Z). */
export function isoTimes(_key: string, value: unknown): unknown {
  return typeof value === "string" && DUCKDB_TIME.test(value) ? new Date(value).toISOString() : value;
}

interface Entry {
  /** Served as it is until then; after it, for one more TTL while a fresh one is computed. */
  freshUntil: number;
  text: Promise<string>;
  ready: boolean;
  refreshing: boolean;
}

export class ReadCache {
  private readonly entries = new Map<string, Entry>();
  /** Moves on every clear(): a computation begun before a change is not kept after it. */
  private generation = 0;

  constructor(
    readonly ttlMs: number,
    private readonly maxEntries = 2000,
  ) {}

  /**
   * The JSON text for `key`: computed by `compute` when absent (callers meanwhile share it); kept
   * for the TTL; for one more TTL the kept text is answered while a fresh one is computed.
   */
  text(key: string, compute: () => Promise<unknown>, now = Date.now()): Promise<string> {
    const hit = this.entries.get(key);
    if (hit && (hit.freshUntil > now || !hit.ready)) return hit.text;
    if (hit && hit.freshUntil + this.ttlMs > now) {
      if (!hit.refreshing) {
        hit.refreshing = true;
        const generation = this.generation;
        const next = this.entry(compute, now);
        next.text.then(
          () => {
            if (this.generation === generation && this.entries.get(key) === hit) this.entries.set(key, next);
          },
          () => {
            hit.refreshing = false;
          },
        );
      }
      return hit.text;
    }
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    const entry = this.entry(compute, now);
    this.entries.set(key, entry);
    // A failure is not kept: the next request computes again.
    entry.text.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    return entry.text;
  }

  private entry(compute: () => Promise<unknown>, now: number): Entry {
    const entry: Entry = {
      freshUntil: now + this.ttlMs,
      text: Promise.resolve(""),
      ready: false,
      refreshing: false,
    };
    entry.text = compute().then((value) => {
      entry.ready = true;
      return JSON.stringify(value, isoTimes);
    });
    return entry;
  }

  clear(): void {
    this.generation++;
    this.entries.clear();
  }
}
