/**
 * The explanation without a model: fixed sentences per detector around the evidence's numbers.
 * Deterministic (the same rows give the same text), so it can be tested, diffed and trusted.
 */
import type { Evidence } from "./evidence.ts";

interface DetectorText {
  /** What the change is for, in one sentence. */
  why: string;
  /** What to watch when the executor does not do it (no action kind). */
  watchByHand?: string;
}

const DETECTORS: Record<string, DetectorText> = {
  idle_vm: {
    why: "The VM does almost nothing: stopping it removes its compute charge, and its disks stay for a restart.",
  },
  rightsizing: {
    why: "The VM's peaks fit in a smaller size: the target is the cheapest size that holds them with headroom.",
  },
  previous_generation: {
    why: "The size is of a previous generation: the current generation's size of the same shape costs less.",
  },
  schedule: {
    why: "A non-production VM runs around the clock: stopping it outside working hours removes those hours' charge.",
  },
  gp2_volume: { why: "gp3 costs less per GB than gp2 with at least the same baseline performance." },
  unattached_volume: {
    why: "The volume is attached to nothing and still billed; a snapshot keeps its data.",
  },
  stopped_vm_volume: {
    why: "The volume belongs to a VM stopped long ago and is still billed; a snapshot keeps its data.",
  },
  old_snapshot: { why: "The snapshot is old enough that it is unlikely to be restored from." },
  idle_address: { why: "A reserved public address that is attached to nothing is billed for nothing." },
  bucket_lifecycle: {
    why: "Most of the bucket's data is rarely read: a cheaper storage class for older objects costs less.",
  },
  commitment_purchase: {
    why: "On-demand spend never fell below a steady floor: a commitment of that size would be used every hour.",
    watchByHand:
      "Done by hand, not by the executor. After buying, watch the commitment's utilization (marts.commitments) " +
      "stay near 100% and the on-demand spend it covers fall; below about 80% it pays for unused capacity.",
  },
  commitment_review: {
    why: "The commitment is partly unused: its unused share is paid for nothing.",
    watchByHand:
      "Done by hand. Before the term renews, move covered workloads onto it or exchange it for a smaller one, " +
      "then watch its utilization in marts.commitments rise.",
  },
  spot: {
    why: "The VM is tagged as tolerating interruptions: spot capacity of the same size costs much less.",
    watchByHand:
      "Done by hand. After moving to spot, watch interruptions and restarts of the workload, and its cost in " +
      "marts.cost_daily dropping by about the discount.",
  },
};

const CATEGORY_WHY: Record<string, string> = {
  rightsizing: "The resource is bigger than its use needs.",
  deactivation: "The resource is billed but not used.",
  commitment: "A commitment matches the steady part of the spend better.",
  modernization: "A newer option of the same kind costs less.",
  storage: "The data is stored more expensively than its use needs.",
  schedule: "The resource runs when nobody uses it.",
};

const money = (amount: string | null, currency: string | null) =>
  amount === null ? "unknown" : `${currency ?? ""} ${Number(amount).toFixed(2)}`.trim();
const pct = (v: number | null) => (v === null ? "n/a" : `${v}%`);

/** Units from a key's suffix, for the detector's own numbers. */
function withUnit(key: string, value: unknown): string {
  const name = key.replace(/_(pct|gb|gib|mib)$/, "").replaceAll("_", " ");
  if (typeof value !== "number")
    return `${name} ${typeof value === "string" ? value : JSON.stringify(value)}`;
  if (/^share_/.test(key)) return `${name} ${Math.round(value * 1000) / 10}%`;
  if (/_pct$/.test(key)) return `${name} ${value}%`;
  if (/_gb$/.test(key)) return `${name} ${value} GB`;
  if (/_gib$/.test(key)) return `${name} ${value} GiB`;
  if (/_mib$/.test(key)) return `${name} ${value} MiB`;
  if (/(^|_)days(_|$)|_days?$/.test(key)) return `${name} ${value} days`;
  if (/(^|_)hours(_|$)|_hours?$/.test(key)) return `${name} ${value} h`;
  return `${name} ${value}`;
}

/** The whole explanation: what and how much, why, then the facts. */
export function templateText(e: Evidence): string {
  const r = e.recommendation;
  const why = DETECTORS[r.detector]?.why ?? CATEGORY_WHY[r.category] ?? `Detector ${r.detector} found it.`;
  return [
    headline(e),
    "",
    "Why",
    `  ${why}`,
    ...(r.explanation ? [`  ${r.explanation}`] : []),
    "",
    factsText(e),
  ].join("\n");
}

/** What the change is and saves, in two lines. */
export function headline(e: Evidence): string {
  const r = e.recommendation;
  const lines: string[] = [];
  const target = r.target_configuration ? ` → ${r.target_configuration}` : "";
  lines.push(
    `${r.action} on ${r.resource_type ?? "resource"} ${r.resource_id ?? "(no resource)"} ` +
      `(${r.provider}${r.region ? `, ${r.region}` : ""}): ${r.current_configuration ?? "?"}${target}`,
  );
  lines.push(
    `Saves ${money(r.estimated_monthly_savings, r.currency)} a month` +
      (r.estimated_monthly_savings_at_list
        ? ` (${money(r.estimated_monthly_savings_at_list, r.currency)} at list prices)`
        : "") +
      `; confidence ${r.confidence ?? "n/a"}; status ${r.status}${r.status_reason ? ` (${r.status_reason})` : ""}.`,
  );
  return lines.join("\n");
}

/** The evidence, risk, approval and the check after the change, as the warehouse has them. */
export function factsText(e: Evidence): string {
  const r = e.recommendation;
  const lines: string[] = ["Evidence"];
  const facts = Object.entries(r.detector_evidence).filter(([, v]) => v !== null);
  if (facts.length) {
    lines.push(
      `  - ${r.detector} over ${r.lookback_days ?? "?"} days (${r.data_source ?? "source n/a"}): ` +
        facts.map(([k, v]) => withUnit(k, v)).join(", "),
    );
  }
  const u = e.utilization;
  if (u) {
    lines.push(
      `  - CPU ${u.from} to ${u.to} (${u.days} days, marts.utilization_daily): average ${pct(u.cpu_avg_pct)}, ` +
        `daily P95 ${pct(u.cpu_p95_pct)} on average and ${pct(u.cpu_p95_highest_day_pct)} on the busiest day, ` +
        `maximum ${pct(u.cpu_max_pct)}; memory average ${pct(u.memory_avg_pct)}, maximum ${pct(u.memory_max_pct)}`,
    );
  }
  const p = e.prediction;
  if (p?.cpu_p95_pct) {
    lines.push(
      `  - Predicted P95 CPU ${p.horizon_start} to ${p.horizon_end}${p.size ? ` on ${p.size}` : ""}: ` +
        `${p.cpu_p95_pct.point}% (band ${p.cpu_p95_pct.low}–${p.cpu_p95_pct.high}%, ml.utilization_predictions)`,
    );
  }
  const c = e.cost;
  if (c) {
    lines.push(
      `  - Cost ${c.from} to ${c.to} (${c.days} billed days, marts.cost_daily): ${money(c.effective_total, c.currency)} ` +
        `effective, ${money(c.effective_per_day, c.currency)} a day; by month ` +
        c.by_month.map((m) => `${m.month} ${money(m.effective_cost, c.currency)}`).join(", "),
    );
  }
  if (e.resource) {
    const tags = Object.entries(e.resource.tags)
      .map(([k, v]) => `${k}=${v}`)
      .join(", ");
    lines.push(
      `  - Inventory: ${e.resource.sku ?? "?"}, state ${e.resource.state ?? "?"}, seen ${e.resource.first_seen ?? "?"} to ` +
        `${e.resource.last_seen ?? "?"}, ${money(e.resource.monthly_cost, e.resource.currency)} a month` +
        (tags ? `; tags ${tags}` : ""),
    );
  }

  const k = e.risk;
  lines.push(
    "",
    `Risk: ${k.level ?? "not assessed"}${k.score !== null ? ` (${k.score}/100)` : ""}, effort ${k.effort ?? "n/a"}, priority ${k.priority ?? "n/a"}`,
  );
  for (const f of [...k.factors].sort((a, b) => b.score - a.score)) {
    lines.push(`  - ${f.factor} ${f.score}/100: ${f.evidence}`);
  }
  for (const m of k.mitigations) lines.push(`  Mitigation: ${m}`);

  lines.push("", `Approval: ${approvalLine(e)}`);
  for (const a of e.actions) {
    const decision =
      typeof a.verification?.decision === "string" ? `, verification ${a.verification.decision}` : "";
    lines.push(
      `  Action ${a.action_id} (${a.kind}, ${a.mode}): ${a.state}${a.executed_at ? ` since ${a.executed_at}` : ""}${decision}` +
        (a.error ? ` — ${a.error}` : ""),
    );
  }

  lines.push("", "What to watch", `  ${watchText(e)}`);
  return lines.join("\n");
}

function approvalLine(e: Evidence): string {
  const a = e.approval;
  if (!a.queued) return "not in the approval queue (only open recommendations are)";
  const who = a.approvers.length ? ` by ${a.approvers.join(", ")}` : "";
  const until = a.expires_at ? `, until ${a.expires_at}` : "";
  return `${a.state} (${a.approvals} of ${a.required ?? 1} approvals${who}${until})`;
}

/** The executor's check after the change, in words, or what to watch by hand. */
export function watchText(e: Evidence): string {
  const w = e.watch;
  if (!w.action_kind) {
    return (
      DETECTORS[e.recommendation.detector]?.watchByHand ??
      "Done by hand (no executor action for this provider or kind): compare the resource's cost in " +
        "marts.cost_daily and its use in marts.utilization_daily before and after the change."
    );
  }
  const irreversible = w.irreversible
    ? " Its step cannot be undone: approving it must acknowledge that."
    : "";
  if (w.verification === "state") {
    return (
      `The executor (${w.action_kind}) checks ${w.window_hours} h after the change that the resource is still as ` +
      `the change left it; a difference is flagged needs_attention.${irreversible}`
    );
  }
  const band = w.predicted_cpu_p95_pct;
  const baseline =
    w.baseline_cpu_p95_pct !== null
      ? ` Before the change P95 CPU was ${w.baseline_cpu_p95_pct}% (mean of the last ${w.baseline_days} days).`
      : "";
  const predicted = band
    ? ` The predicted P95 band afterwards is ${band.low}–${band.high}% (point ${band.point}%), so it is undone above ` +
      `${w.rollback_above_cpu_p95_pct}% (the lower of cpu_p95_max_pct ${w.cpu_p95_max_pct}% and the band's top + ` +
      `over_prediction_pct ${w.over_prediction_pct} points).`
    : ` There is no predicted band for it, so only cpu_p95_max_pct ${w.cpu_p95_max_pct}% applies.`;
  return (
    `The executor (${w.action_kind}) reads ${w.window_hours} h of fresh metrics after the change and undoes it ` +
    `when P95 CPU passes the threshold.${baseline}${predicted} Watch P95 CPU and memory in that window.${irreversible}`
  );
}
