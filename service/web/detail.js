/**
 * A recommendation's detail in a dialog: the explanation (GET …/:id/explain; the row's own
 * explanation if the assistant cannot answer), the risk factors and mitigations, and the
 * decisions so far (GET …/:id). Escape or Close returns focus to the row.
 */
import { api } from "/api.js";
import { el, money, parsed, when } from "/dom.js";

const dialog = document.getElementById("detail");
const title = document.getElementById("detail-title");
const body = document.getElementById("detail-body");
let shown = 0;

document.getElementById("detail-close").addEventListener("click", () => dialog.close());

function section(heading, ...content) {
  return el("section", {}, el("h3", {}, heading), ...content);
}

function factorsTable(factors) {
  if (!factors.length) return el("p", { class: "muted" }, "No risk factors recorded.");
  return el(
    "table",
    { class: "factors" },
    el("caption", {}, "Risk factors (0 = none, 100 = highest)"),
    el(
      "thead",
      {},
      el(
        "tr",
        {},
        el("th", { scope: "col" }, "Factor"),
        el("th", { scope: "col", class: "num" }, "Score"),
        el("th", { scope: "col" }, "Evidence"),
      ),
    ),
    el(
      "tbody",
      {},
      factors.map((f) =>
        el(
          "tr",
          {},
          el("th", { scope: "row" }, String(f.factor ?? "")),
          el(
            "td",
            { class: "num" },
            f.score === undefined || f.score === null ? "—" : String(Math.round(Number(f.score))),
          ),
          el("td", {}, String(f.evidence ?? "")),
        ),
      ),
    ),
  );
}

function decisionsList(decisions) {
  if (!decisions.length) return el("p", { class: "muted" }, "No decisions yet.");
  return el(
    "ul",
    { class: "decisions" },
    decisions.map((d) =>
      el(
        "li",
        {},
        `${when(d.decided_at)}: ${d.approver ?? "?"} — ${d.decision}`,
        d.note ? el("q", {}, d.note) : null,
      ),
    ),
  );
}

/** Open the dialog for `row` (a grid row) and fill it as the answers arrive. */
export async function openDetail(row) {
  const id = row.recommendation_id;
  const mine = ++shown;
  title.textContent = `${row.action} on ${row.resource_id ?? row.billing_account_id ?? id}`;
  body.replaceChildren(el("p", { class: "muted", role: "status" }, "Loading…"));
  if (!dialog.open) dialog.showModal();
  const [detail, explain] = await Promise.allSettled([
    api(`/recommendations/${encodeURIComponent(id)}`),
    api(`/recommendations/${encodeURIComponent(id)}/explain`),
  ]);
  if (mine !== shown) return; // another row was opened meanwhile
  const full = { ...row, ...(detail.status === "fulfilled" ? detail.value : {}) };
  const explanation =
    explain.status === "fulfilled" && explain.value?.text
      ? explain.value
      : { text: full.explanation, source: "row" };
  const factors = parsed(full.risk_factors, []);
  const mitigations = parsed(full.mitigations, []);
  const decisions = full.decisions ?? full.approval_decisions ?? [];
  const parts = [
    el(
      "dl",
      { class: "facts" },
      el("dt", {}, "Saves"),
      el("dd", {}, `${money(full.estimated_monthly_savings, full.currency)} a month`),
      el("dt", {}, "Risk"),
      el(
        "dd",
        {},
        `${full.risk_level ?? "—"}${full.risk_score !== undefined && full.risk_score !== null ? ` (${full.risk_score} of 100)` : ""}`,
      ),
      el("dt", {}, "From → to"),
      el("dd", {}, `${full.current_configuration ?? "—"} → ${full.target_configuration ?? "—"}`),
      el("dt", {}, "Approval"),
      el(
        "dd",
        {},
        full.approval
          ? `${full.approval.state}, ${full.approval.approvals} of ${full.approval.required} approvals`
          : "—",
      ),
      el("dt", {}, "Id"),
      el("dd", {}, el("code", {}, id)),
    ),
    section(
      "Why",
      el("p", { class: "explanation" }, explanation.text ?? "No explanation available."),
      explanation.source === "model"
        ? el("p", { class: "muted" }, "Written by the assistant from the warehouse rows.")
        : null,
      explain.status === "rejected"
        ? el(
            "p",
            { class: "muted" },
            `The assistant could not explain it (${explain.reason.message}); this is the recommendation's own text.`,
          )
        : null,
    ),
    section("Risk", factorsTable(Array.isArray(factors) ? factors : [])),
    Array.isArray(mitigations) && mitigations.length
      ? section(
          "Mitigations",
          el(
            "ul",
            {},
            mitigations.map((m) => el("li", {}, String(m))),
          ),
        )
      : null,
    section("Decisions", decisionsList(Array.isArray(decisions) ? decisions : [])),
    detail.status === "rejected"
      ? el("p", { class: "error", role: "alert" }, `Could not load the details: ${detail.reason.message}`)
      : null,
  ];
  body.replaceChildren(...parts.filter(Boolean));
}
