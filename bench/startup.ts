/**
 * Start-up time of the CLI, whole process from spawn to exit: `cco --help` (builds the
 * program, prints help) and `cco sql "select 1"` (config, DuckDB, a read-only warehouse
 * open), against `node -e ''` as the floor. Median of several runs after a warm-up (which
 * also compiles dist/ if a source changed).
 *
 *   npm run bench:startup [-- --runs 21]
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "..");
const CCO = path.join(ROOT, "bin/cco.js");
const runsFlag = process.argv.indexOf("--runs");
const RUNS = runsFlag > 0 ? Number(process.argv[runsFlag + 1]) : 11;

const scratch = mkdtempSync(path.join(os.tmpdir(), "cco-bench-startup-"));
const warehouse = path.join(scratch, "warehouse.duckdb");
const env = { ...process.env, CCO_WAREHOUSE: warehouse, CCO_DATA_DIR: scratch };

interface Case {
  label: string;
  args: string[];
  target?: number;
}

const cases: Case[] = [
  { label: "node -e ''", args: ["-e", ""] },
  { label: "cco --help", args: [CCO, "--help"], target: 0.3 },
  { label: "cco ingest --help", args: [CCO, "ingest", "--help"] },
  { label: 'cco sql "select 1"', args: [CCO, "sql", "select 1"], target: 0.6 },
];

function once(args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { env, stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  return seconds;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

try {
  // A real warehouse file (schemas and ops tables), as a user's is; the SQL runs read-only on it.
  const created = spawnSync(process.execPath, [CCO, "sql", "--write", "select 1"], { env, encoding: "utf8" });
  if (created.status !== 0) throw new Error(`creating the warehouse failed: ${created.stderr}`);
  for (const c of cases) once(c.args); // warm-up: disk cache, and dist/ compiled if stale
  const times = new Map<Case, number[]>(cases.map((c) => [c, []]));
  // Interleaved, so a change in the machine's load touches every case alike.
  for (let i = 0; i < RUNS; i++) for (const c of cases) times.get(c)!.push(once(c.args));
  const floor = median(times.get(cases[0]!)!);
  const s = (x: number) => `${x.toFixed(3)} s`;
  const rows = [
    ["command", "median", "min", "max", "above floor", "target"],
    ...cases.map((c) => {
      const t = times.get(c)!;
      const m = median(t);
      return [
        c.label,
        s(m),
        s(Math.min(...t)),
        s(Math.max(...t)),
        c === cases[0] ? "" : s(m - floor),
        c.target ? `< ${c.target} s ${m < c.target ? "ok" : "MISSED"}` : "",
      ];
    }),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  console.log(
    `Start-up, whole process, median of ${RUNS} runs (node ${process.version}, ${os.cpus().length} cores, load ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")})`,
  );
  for (const r of rows)
    console.log(r.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join("  "));
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
