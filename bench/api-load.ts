/**
 * The service under load: 200 requests/s of mixed reads (recommendation pages with filters and
 * sorts, one recommendation, approvals, runs, actions, audit, /healthz) for 60 s against `cco serve`
 * on a demo warehouse, with an API token, from this process (open loop: a request leaves every
 * 5 ms whether or not the earlier ones have answered, so a slow server shows as latency, not as a
 * lower rate). Reports the achieved rate, p50/p90/p99/max and errors. Target: p99 < 100 ms, no error.
 *
 *   npx tsx bench/api-load.ts [--data-dir DIR] [--rate 200] [--seconds 60]
 *
 * Without --data-dir it runs the demo into a fresh folder first (about a minute). The service
 * runs as a child process (bin/cco.js); its log goes to /dev/null.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "..");
const ENTRY = [path.join(ROOT, "bin/cco.js")];

const flag = (name: string, fallback?: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const RATE = Number(flag("rate", "200"));
const SECONDS = Number(flag("seconds", "60"));
const dataDir = flag("data-dir") ?? mkdtempSync(path.join(os.tmpdir(), "cco-bench-api-"));
const configFile = path.join(mkdtempSync(path.join(os.tmpdir(), "cco-bench-api-config-")), "cco.config.yaml");
// The limit is per client and this benchmark is one client; the executor stays dry and daily.
writeFileSync(configFile, "service:\n  rate_limit: {max: 1000000}\n");
const env = {
  ...process.env,
  CCO_DATA_DIR: dataDir,
  CCO_JWT_SECRET: "bench-secret-0123456789abcdefghijklmnopq",
  CCO_PASSWORD: "bench passphrase 1",
};

function cco(args: string[]): string {
  const r = spawnSync(process.execPath, [...ENTRY, "--config", configFile, ...args], {
    env,
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`cco ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

if (!flag("data-dir")) {
  process.stderr.write(`running the demo into ${dataDir} …\n`);
  cco(["-q", "run", "--demo"]);
}
const user = `bench-${process.pid}`;
cco(["users", "add", user, "--role", "viewer"]);
const token = cco(["users", "token", user, "--name", "api-load"]).split("\n")[0]!;

const server: ChildProcess = spawn(
  process.execPath,
  [...ENTRY, "--config", configFile, "serve", "--port", "0"],
  {
    env,
    stdio: ["ignore", "ignore", "pipe"],
  },
);
const url = await new Promise<string>((resolve, reject) => {
  let stderr = "";
  server.stderr!.on("data", (d) => {
    stderr += d;
    const m = /cco serve: (http:\/\/\S+?)\/ /.exec(stderr);
    if (m) resolve(m[1]!);
  });
  server.on("exit", (code) => reject(new Error(`cco serve exited ${code}: ${stderr}`)));
});

const get = async (route: string) =>
  fetch(`${url}${route}`, { headers: { authorization: `Bearer ${token}` } });
const first = await (await get("/api/v1/recommendations?status=open&limit=5")).json();
const ids: string[] = first.items.map((r: { recommendation_id: string }) => r.recommendation_id);

/** The mix, weighted by how often the grid and a dashboard ask. */
const MIX: { name: string; route: () => string; weight: number }[] = [
  {
    name: "recommendations page",
    route: () =>
      `/api/v1/recommendations?status=open&sort=-priority&limit=50&offset=${50 * Math.floor(Math.random() * 2)}`,
    weight: 4,
  },
  {
    name: "recommendations sorted by savings",
    route: () => "/api/v1/recommendations?status=open&sort=-estimated_monthly_savings&limit=50",
    weight: 2,
  },
  {
    name: "recommendations filtered",
    route: () =>
      `/api/v1/recommendations?status=open&provider=${["aws", "azure", "gcp"][Math.floor(Math.random() * 3)]}&risk=low&limit=50`,
    weight: 2,
  },
  {
    name: "recommendations by approval",
    route: () => "/api/v1/recommendations?status=open&approval=waiting&limit=50",
    weight: 1,
  },
  {
    name: "one recommendation",
    route: () => `/api/v1/recommendations/${ids[Math.floor(Math.random() * ids.length)]}`,
    weight: 1,
  },
  { name: "approvals", route: () => "/api/v1/approvals", weight: 2 },
  { name: "runs", route: () => "/api/v1/runs?limit=20", weight: 1 },
  { name: "actions", route: () => "/api/v1/actions?limit=50", weight: 2 },
  { name: "audit", route: () => "/api/v1/audit?limit=50", weight: 1 },
  { name: "healthz", route: () => "/healthz", weight: 2 },
];
const wheel = MIX.flatMap((m) => Array(m.weight).fill(m) as typeof MIX);

// Warm up (connections, DuckDB's caches) for 2 s, not counted.
for (let i = 0; i < 40; i++) await get(wheel[i % wheel.length]!.route());

const loadBefore = os.loadavg()[0]!;
const samples: { name: string; ms: number; ok: boolean }[] = [];
const errors: string[] = [];
const total = RATE * SECONDS;
const interval = 1000 / RATE;
const started = performance.now();
const inflight: Promise<void>[] = [];
for (let i = 0; i < total; i++) {
  const due = started + i * interval;
  const wait = due - performance.now();
  if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
  const kind = wheel[i % wheel.length]!;
  const t0 = performance.now();
  inflight.push(
    get(kind.route()).then(
      async (res) => {
        await res.arrayBuffer();
        const ok = res.status === 200;
        if (!ok) errors.push(`${kind.name}: ${res.status}`);
        samples.push({ name: kind.name, ms: performance.now() - t0, ok });
      },
      (error) => {
        errors.push(`${kind.name}: ${(error as Error).message}`);
        samples.push({ name: kind.name, ms: performance.now() - t0, ok: false });
      },
    ),
  );
}
await Promise.all(inflight);
const elapsed = (performance.now() - started) / 1000;
server.kill("SIGTERM");
const exitCode = await new Promise((resolve) => server.on("exit", resolve));

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? Number.NaN;
};
const ms = (x: number) => `${x.toFixed(1)} ms`;
const all = samples.map((s) => s.ms);
const lines = [
  `## API`,
  "",
  `\`npx tsx bench/api-load.ts\` — ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores, Node ${process.version}: ` +
    `${samples.length} requests in ${elapsed.toFixed(1)} s (${(samples.length / elapsed).toFixed(1)}/s, target ${RATE}/s), ` +
    `mixed reads with an API token against \`cco serve\` on the demo warehouse; the service exited ${exitCode} on SIGTERM. ` +
    `Load average (1 min) ${loadBefore.toFixed(1)} before, ${os.loadavg()[0]!.toFixed(1)} after: other work on the machine counts.`,
  "",
  "| requests | p50 | p90 | p99 | max | errors |",
  "|---|---|---|---|---|---|",
  `| all | ${ms(pct(all, 50))} | ${ms(pct(all, 90))} | ${ms(pct(all, 99))} | ${ms(Math.max(...all))} | ${errors.length} |`,
  ...MIX.map((m) => {
    const xs = samples.filter((s) => s.name === m.name).map((s) => s.ms);
    const bad = samples.filter((s) => s.name === m.name && !s.ok).length;
    return `| ${m.name} (${xs.length}) | ${ms(pct(xs, 50))} | ${ms(pct(xs, 90))} | ${ms(pct(xs, 99))} | ${ms(Math.max(...xs))} | ${bad} |`;
  }),
  "",
  `Target p99 < 100 ms and no error: ${pct(all, 99) < 100 && errors.length === 0 ? "met" : "NOT met"}.`,
];
process.stdout.write(`${lines.join("\n")}\n`);
if (errors.length)
  process.stderr.write(`first errors:\n  ${[...new Set(errors)].slice(0, 10).join("\n  ")}\n`);
process.exitCode = pct(all, 99) < 100 && errors.length === 0 ? 0 : 1;
