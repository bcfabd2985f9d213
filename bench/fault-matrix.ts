/**
 * The executor's fault matrix, as one table: each action kind under each injected fault
 * (throttling, capacity, timeout, 5xx, kill -9 between steps, a partial batch), in the sandbox
 * cloud and through each real cloud adapter against its replay server. A row passes when no
 * action is left in an unknown state, nothing is applied twice, the resource ends as the action
 * says (changed, or restored to its recorded prior state) and the audit log verifies.
 *
 *   npx tsx bench/fault-matrix.ts [--json] [--provider sandbox|aws|azure|gcp]   (exit 1 on a failing row)
 */
import { createProgress } from "../core/log.ts";
import type { FaultRow } from "../test/helpers/fault-row.ts";

const MATRICES: Record<string, () => Promise<FaultRow[]>> = {
  sandbox: async () => (await import("../test/actions/executor/fault-matrix.ts")).faultMatrixSandbox(),
  aws: async () => (await import("../test/actions/providers/aws/fault-matrix.ts")).faultMatrixAws(),
  azure: async () => (await import("../test/actions/providers/azure/fault-matrix.ts")).faultMatrixAzure(),
  gcp: async () => (await import("../test/actions/providers/gcp/fault-matrix.ts")).faultMatrixGcp(),
};

const args = process.argv.slice(2);
if (args.includes("--help")) {
  console.log("usage: npx tsx bench/fault-matrix.ts [--json] [--provider sandbox|aws|azure|gcp]");
  process.exit(0);
}
const json = args.includes("--json");
const only = args.includes("--provider") ? args[args.indexOf("--provider") + 1] : undefined;
if (only && !MATRICES[only]) {
  console.error(`unknown provider ${only}: expected ${Object.keys(MATRICES).join(", ")}`);
  process.exit(2);
}
const progress = createProgress({ quiet: json });
const rows: FaultRow[] = [];
for (const [provider, matrix] of Object.entries(MATRICES)) {
  if (only && provider !== only) continue;
  const result = await progress.step(`Fault matrix: ${provider}`, matrix);
  // The sandbox's rows name the provider it simulated: keep them apart from the real adapters'.
  rows.push(...result.map((r) => (provider === "sandbox" ? { ...r, provider: `sandbox:${r.provider}` } : r)));
}
const passed = (r: FaultRow) => r.unknown === 0 && r.appliedTwice === 0 && r.restored && r.auditIntact;
const failing = rows.filter((r) => !passed(r));
if (json) console.log(JSON.stringify({ rows, failing: failing.length }, null, 2));
else {
  const header = [
    "provider",
    "kind",
    "fault",
    "outcome",
    "unknown",
    "applied twice",
    "as expected",
    "audit",
    "ok",
  ];
  const cells = rows.map((r) => [
    r.provider,
    r.kind,
    r.fault,
    r.outcome,
    String(r.unknown),
    String(r.appliedTwice),
    r.restored ? "yes" : "NO",
    r.auditIntact ? "intact" : "BROKEN",
    passed(r) ? "yes" : "NO",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  for (const line of [header, ...cells])
    console.log(
      line
        .map((c, i) => c.padEnd(widths[i]!))
        .join("  ")
        .trimEnd(),
    );
  console.log(
    `${failing.length ? "FAILED" : "PASSED"}: ${rows.length - failing.length} of ${rows.length} rows`,
  );
}
process.exit(failing.length ? 1 : 0);
