/**
 * What a killed `cco actions run` (execute mode, approved rows, the sandbox cloud) may leave,
 * and what the runs after it settle to. Right after the kill every action is in a state the
 * next run resumes from (never needs_attention) and the audit chain verifies. Settled: nothing
 * in flight, no operation applied twice, each resource as its action's state says, the chain
 * intact, and each approval carried out once, ending as it does without a kill.
 */
import path from "node:path";
import { verifyAudit } from "../../actions/audit/verify.ts";
import { ACTION_STATES } from "../../actions/executor/records.ts";
import { openSandbox } from "../../actions/providers/sandbox/sandbox.ts";
import { readState } from "../../actions/providers/sandbox/state.ts";
import { loadConfig } from "../../core/config.ts";
import type { Warehouse } from "../../core/warehouse/warehouse.ts";
import { appliedBy, appliedTwice, executedActions, resourceDiffers } from "../actions/executor/outcomes.ts";
import { runCco } from "./cli.ts";

/** Every state an action can be in but the one that needs a person. */
const RESUMABLE: readonly string[] = ACTION_STATES.filter((state) => state !== "needs_attention");

async function auditProblems(w: Warehouse): Promise<string[]> {
  const audit = await verifyAudit(w);
  return audit.intact ? [] : [`audit chain: ${JSON.stringify(audit.problem)}`];
}

export async function actionProblems(w: Warehouse): Promise<string[]> {
  const problems: string[] = [];
  for (const a of await executedActions(w))
    if (!RESUMABLE.includes(a.state))
      problems.push(`${a.kind} ${a.resource_id}: ${a.state}${a.error ? ` (${a.error})` : ""}`);
  return [...problems, ...(await auditProblems(w))];
}

/**
 * `cco actions run` until a run finds nothing to recover, verify or start (at most four), each
 * exiting 0; the problems met on the way.
 */
export async function settleActions(dataDir: string): Promise<string[]> {
  for (let runs = 1; runs <= 4; runs++) {
    const run = await runCco(dataDir, ["--json", "actions", "run"]);
    if (run.code !== 0) return [`actions run ${runs} exited ${run.code ?? run.signal}: ${run.stderr.trim()}`];
    const summary = JSON.parse(run.stdout) as { recovered: number; started: number; verified: number };
    if (!summary.recovered && !summary.started && !summary.verified) return [];
  }
  return ["still busy after four runs"];
}

/** Settled: the problems the module comment lists, and each action's end to compare with a run never killed. */
export async function settledActions(
  w: Warehouse,
  dataDir: string,
): Promise<{ problems: string[]; digest: Record<string, string> }> {
  const actions = await executedActions(w);
  const problems: string[] = [];
  const requests = readState(dataDir)?.requests ?? [];
  problems.push(...appliedTwice(appliedBy(requests)));
  const config = loadConfig({ configFile: path.join(dataDir, "cco.config.yaml"), dataDir, env: {} });
  const sandbox = await openSandbox(config);
  for (const a of actions) {
    if (a.state === "failed" && a.step === 0) {
      if (appliedBy(requests, a).length)
        problems.push(`${a.kind} ${a.resource_id}: failed, yet a change applied`);
      continue;
    }
    for (const d of await resourceDiffers(sandbox, a))
      problems.push(`${a.kind} ${a.resource_id} (${a.state}): ${d}`);
  }
  problems.push(...(await auditProblems(w)));
  // An action a kill interrupted before any change ends failed at step 0, and the approval is
  // carried out by a new one (actions/executor/run.ts): only the others are compared.
  const done = actions.filter((a) => !(a.state === "failed" && a.step === 0));
  const states = new Map<string, string[]>();
  for (const a of done) {
    const key = `${a.kind} ${a.resource_id}`;
    states.set(key, [...(states.get(key) ?? []), a.state]);
  }
  const digest: Record<string, string> = { actions: String(done.length) };
  for (const [key, list] of states) digest[key] = list.sort().join(", ");
  return { problems, digest };
}
