/** The evaluation for people: the confusion table per detector, the violations, one summary line. */
import type { Evaluation } from "./evaluate.ts";

const share = (x: number | null) => (x === null ? "-" : x.toFixed(3));
const errorPct = (x: number | null) => (x === null ? "-" : `${(x * 100).toFixed(2)}%`);

export function formatEvaluation(e: Evaluation): string {
  const header = [
    "detector",
    "truth",
    "found",
    "TP",
    "FP",
    "FN",
    "precision",
    "recall",
    "max savings err",
    "met",
  ];
  const rows = e.detectors.map((d) => [
    d.detector,
    String(d.expected),
    String(d.found),
    String(d.true_positives),
    String(d.false_positives),
    String(d.false_negatives),
    share(d.precision),
    share(d.recall),
    errorPct(d.savings_max_error),
    d.met ? "yes" : "NO",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  const out = [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)];
  if (e.violations.length) {
    out.push("", `Recommendations on resources that must be left alone (${e.violations.length}):`);
    for (const v of e.violations.slice(0, 20))
      out.push(`  ${v.detector} on ${v.resource_id} (${v.case}, must not: ${v.must_not})`);
  }
  const misses = e.misses.slice(0, 20);
  if (misses.length) {
    out.push(
      "",
      `Misses (${e.misses.length}${e.misses.length > misses.length ? `, first ${misses.length}` : ""}):`,
    );
    for (const m of misses)
      out.push(`  ${m.kind.padEnd(14)} ${m.detector.padEnd(20)} ${m.resource_id}  ${m.detail}`);
  }
  const met = e.detectors.filter((d) => d.met).length;
  const t = e.targets;
  out.push(
    "",
    `${e.passed ? "PASSED" : "FAILED"}: ${met} of ${e.detectors.length} detectors meet precision >= ${t.precision}, recall >= ${t.recall} ` +
      `and savings within ${t.savings_tolerance * 100}%; ${e.violations.length} must-not violations`,
  );
  return out.join("\n");
}
