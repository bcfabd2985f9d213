/** The pipeline runs list (GET /api/v1/runs) and one run's steps (GET /api/v1/runs/:id). */
import { api, logout, signedIn } from "/api.js";
import { el, when } from "/dom.js";

const $ = (id) => document.getElementById(id);

function fail(message) {
  $("runs-error").textContent = message;
  $("runs-error").hidden = false;
}

/** The API may answer with a bare list or {items}. */
const listOf = (data, key) => (Array.isArray(data) ? data : (data?.[key] ?? data?.items ?? []));

async function showSteps(run) {
  try {
    const detail = await api(`/runs/${encodeURIComponent(run.run_id)}`);
    const steps = listOf(detail, "steps");
    $("steps-title").textContent = `Steps of run ${run.run_id}`;
    $("steps-body").replaceChildren(
      ...(steps.length
        ? steps.map((s) =>
            el(
              "tr",
              {},
              el("th", { scope: "row" }, s.step ?? s.name ?? "?"),
              el("td", {}, s.status ?? "—"),
              el("td", {}, when(s.started_at)),
              el("td", {}, when(s.finished_at)),
              el("td", { class: "num" }, s.rows ?? "—"),
              el("td", { class: "num" }, s.attempts ?? "—"),
              el("td", {}, s.error ?? ""),
            ),
          )
        : [el("tr", {}, el("td", { colspan: 7, class: "empty" }, "No steps recorded for this run."))]),
    );
    $("steps").hidden = false;
    $("steps").scrollIntoView({ block: "nearest" });
  } catch (e) {
    fail(`Could not load run ${run.run_id}: ${e.message}`);
  }
}

async function start() {
  const me = await signedIn();
  $("who").textContent = `${me.username} (${me.role})`;
  $("logout").addEventListener("click", logout);
  try {
    const runs = listOf(await api("/runs?limit=50"), "runs");
    $("runs-body").replaceChildren(
      ...(runs.length
        ? runs.map((r) =>
            el(
              "tr",
              {},
              el(
                "th",
                { scope: "row" },
                el(
                  "button",
                  { type: "button", class: "link", onclick: () => showSteps(r) },
                  String(r.run_id),
                ),
              ),
              el("td", {}, when(r.started_at)),
              el("td", {}, when(r.finished_at)),
              el("td", {}, r.status ?? "—"),
              el("td", {}, r.trigger ?? r.command ?? "—"),
              el("td", {}, r.error ?? ""),
            ),
          )
        : [el("tr", {}, el("td", { colspan: 6, class: "empty" }, "No runs yet."))]),
    );
  } catch (e) {
    fail(`Could not load the runs: ${e.message}`);
  }
}

start();
