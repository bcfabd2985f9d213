/**
 * kill -9 at random moments of ingest, model build, recommend and action execution, 50 kills
 * each (test/crash/matrix.ts says what each case checks). Prints a line per case, then the table
 * (stage, kills, passed, median recovery seconds), writes it into docs/crash-tests.md's results
 * section, and exits 1 if any case failed. A failing case prints its seed; run it alone again:
 *
 *   npx tsx bench/crash-matrix.ts [--kills 50] [--stage ingest,models,recommend,actions] [--seed <first>] [--json]
 *   npx tsx bench/crash-matrix.ts --stage models --only-seed 1234      (one case, to reproduce)
 *
 * Only a full run (every stage, the default kills) rewrites the docs' results.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import {
  type CaseResult,
  describeCase,
  type Reference,
  reference,
  runCase,
  STAGES,
  type StageName,
} from "../test/crash/matrix.ts";
import { prepareTemplates, type TemplateName } from "../test/crash/templates.ts";

const DEFAULT_KILLS = 50;
const ALL = Object.keys(STAGES) as StageName[];
const DOCS = path.resolve(import.meta.dirname, "../docs/crash-tests.md");

const OPTIONS = {
  kills: { type: "string", default: String(DEFAULT_KILLS) },
  stage: { type: "string" },
  seed: { type: "string" },
  "only-seed": { type: "string" },
  json: { type: "boolean", default: false },
  help: { type: "boolean", default: false },
} as const;
let values: ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>["values"];
try {
  values = parseArgs({ options: OPTIONS }).values;
} catch (error) {
  console.error(`${(error as Error).message} (see --help)`);
  process.exit(2);
}
if (values.help) {
  console.log(
    readFileSync(import.meta.filename, "utf8")
      .split("*/")[0]!
      .replace(/^\/\*\*|^ \* ?/gm, ""),
  );
  process.exit(0);
}
const stages = values.stage ? (values.stage.split(",") as StageName[]) : ALL;
const kills = Number(values.kills);
const unknown = stages.filter((s) => !ALL.includes(s));
if (unknown.length || !Number.isInteger(kills) || kills < 1) {
  console.error(`usage: --stage ${ALL.join(",")} (got ${unknown.join(",") || "-"}), --kills <n ≥ 1>`);
  process.exit(2);
}
const firstSeed = values.seed ? Number(values.seed) : Date.now() % 1_000_000;
const onlySeed = values["only-seed"] === undefined ? undefined : Number(values["only-seed"]);
if (!Number.isInteger(firstSeed) || (onlySeed !== undefined && !Number.isInteger(onlySeed))) {
  console.error("--seed and --only-seed take a whole number");
  process.exit(2);
}
const log = (line: string) => (values.json ? process.stderr : process.stdout).write(`${line}\n`);

const root = mkdtempSync(path.join(os.tmpdir(), "cco-crash-matrix-"));
const results: CaseResult[] = [];
const started = performance.now();
try {
  const needed = [...new Set(stages.flatMap((s) => STAGES[s].templates))] as TemplateName[];
  log(`Preparing templates (${needed.join(", ")}) in ${root}`);
  const t = await prepareTemplates(root, needed);
  for (const stage of stages) {
    const references: Partial<Record<TemplateName, Reference>> = {};
    for (const template of STAGES[stage].templates) {
      references[template] = await reference(t, stage, template);
      log(`${stage} on ${template}, never killed: ${(references[template]!.ms / 1000).toFixed(1)} s`);
    }
    // Until `kills` runs were killed mid-run: a run may end before its delay when the machine is
    // quicker than during the measured run (such a case is still checked; at most 3× as many cases).
    const one = onlySeed !== undefined;
    let killed = 0;
    for (let i = 0; one ? i < 1 : killed < kills && i < 3 * kills; i++) {
      const seed = one ? onlySeed : firstSeed + i;
      const result = await runCase(t, stage, seed, references);
      results.push(result);
      if (result.killed) killed++;
      const verdict = result.problems.length ? "FAILED" : "ok";
      log(
        `${stage} ${killed}/${one ? 1 : kills} kills: ${describeCase(result)}: ${result.killed ? "killed" : "finished first"}, ` +
          `recovered in ${result.recoverySeconds.toFixed(1)} s${result.lagging.length ? `, ${result.lagging.length} lagging tests` : ""}: ${verdict}`,
      );
      for (const p of result.problems) log(`    ${p}`);
    }
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}

interface Row {
  stage: StageName;
  cases: number;
  kills: number;
  passed: number;
  lagging: number;
  medianRecoverySeconds: number;
  failedSeeds: number[];
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s[Math.floor((s.length - 1) / 2)]! + s[Math.ceil((s.length - 1) / 2)]!) / 2 : 0;
};
const rows: Row[] = stages.map((stage) => {
  const mine = results.filter((r) => r.stage === stage);
  return {
    stage,
    cases: mine.length,
    kills: mine.filter((r) => r.killed).length,
    passed: mine.filter((r) => !r.problems.length).length,
    lagging: mine.filter((r) => r.lagging.length).length,
    medianRecoverySeconds: Number(median(mine.map((r) => r.recoverySeconds)).toFixed(1)),
    failedSeeds: mine.filter((r) => r.problems.length).map((r) => r.seed),
  };
});
const failed = rows.reduce((n, r) => n + r.failedSeeds.length, 0);
const minutes = (performance.now() - started) / 60_000;

const table = [
  "| stage | cases | killed mid-run | passed | lagging cross-model tests | median recovery (s) |",
  "|---|---:|---:|---:|---:|---:|",
  ...rows.map(
    (r) =>
      `| ${r.stage} | ${r.cases} | ${r.kills} | ${r.passed} | ${r.lagging} | ${r.medianRecoverySeconds} |`,
  ),
].join("\n");

if (values.json) console.log(JSON.stringify({ firstSeed, rows, results }, null, 2));
else {
  console.log(`\n${table}\n`);
  console.log(
    `${failed ? "FAILED" : "PASSED"}: ${results.length - failed} of ${results.length} cases, seeds from ${firstSeed}, ${minutes.toFixed(1)} min`,
  );
  for (const r of rows.filter((x) => x.failedSeeds.length))
    console.log(`  ${r.stage}: failing seeds ${r.failedSeeds.join(", ")}`);
}

// Only a full run speaks for the docs.
if (stages.length === ALL.length && kills === DEFAULT_KILLS && onlySeed === undefined) {
  const begin = "<!-- crash-matrix:results -->";
  const end = "<!-- /crash-matrix:results -->";
  const text = readFileSync(DOCS, "utf8");
  const at = text.indexOf(begin);
  const until = text.indexOf(end);
  if (at >= 0 && until > at) {
    const when = new Date().toISOString().slice(0, 10);
    const last = Math.max(...results.map((r) => r.seed));
    const body = `${begin}\n${table}\n\n${results.length - failed} of ${results.length} cases passed (${when}, seeds ${firstSeed}–${last}, ${minutes.toFixed(0)} min on ${os.cpus().length} cores).\n${end}`;
    writeFileSync(DOCS, text.slice(0, at) + body + text.slice(until + end.length));
    log(`Results written to ${path.relative(process.cwd(), DOCS)}`);
  }
}
process.exit(failed ? 1 : 0);
