/**
 * The approval grid: open recommendations from GET /api/v1/recommendations, sorted, filtered and
 * paged by the server; approve or reject the selected rows through POST /api/v1/approvals/decide.
 * The server applies the approval rules; the page shows each row's result and refreshes.
 * Filters, sort and page live in the address so a reload or a shared link shows the same rows.
 */
import { ApiError, api, logout, signedIn } from "/api.js";
import { openDetail } from "/detail.js";
import { debounce, el } from "/dom.js";
import { nextSort, renderHead, renderRow } from "/table.js";

const DECIDERS = new Set(["approver", "operator", "admin"]);
const FILTERS = ["provider", "risk", "approval", "q"];
const $ = (id) => document.getElementById(id);

const params = new URLSearchParams(location.search);
const state = {
  sort: params.get("sort") || "-priority",
  limit: Number(params.get("limit")) || 50,
  offset: Number(params.get("offset")) || 0,
  filters: Object.fromEntries(FILTERS.map((f) => [f, params.get(f) ?? ""])),
  items: [],
  total: 0,
  selected: new Set(),
  /** recommendation_id → the last decision's result on it. */
  results: new Map(),
  canDecide: false,
  busy: false,
};
let loads = 0;

function query() {
  const q = new URLSearchParams({
    status: "open",
    sort: state.sort,
    limit: state.limit,
    offset: state.offset,
  });
  for (const [name, value] of Object.entries(state.filters)) if (value) q.set(name, value);
  return q;
}

/** Keep the address in step with what is shown (without status, which is always open). */
function remember() {
  const q = query();
  q.delete("status");
  history.replaceState(null, "", `${location.pathname}?${q}`);
}

async function load() {
  const mine = ++loads;
  remember();
  $("grid").setAttribute("aria-busy", "true");
  try {
    const page = await api(`/recommendations?${query()}`);
    if (mine !== loads) return; // a newer request was sent meanwhile
    state.items = page.items;
    state.total = page.total;
    // Past the end (rows left the list after a decision): back to the last page.
    if (!page.items.length && page.total > 0 && state.offset > 0) {
      state.offset = Math.max(0, Math.floor((page.total - 1) / state.limit) * state.limit);
      return load();
    }
    render();
  } catch (e) {
    if (mine !== loads) return;
    if (e instanceof ApiError && e.status === 401) location.assign("/login");
    state.items = [];
    state.total = 0;
    render();
    showSummary([el("p", { class: "error" }, `Could not load recommendations: ${e.message}`)], "error");
  } finally {
    if (mine === loads) $("grid").removeAttribute("aria-busy");
  }
}

function render() {
  renderHead($("grid-head"), { sort: state.sort, onSort: sortBy, onSelectAll: selectAll });
  const body = $("grid-body");
  if (!state.items.length) {
    body.replaceChildren(
      el("tr", {}, el("td", { colspan: 12, class: "empty" }, "No open recommendations match these filters.")),
    );
  } else {
    body.replaceChildren(
      ...state.items.map((row) =>
        renderRow(row, {
          selected: state.selected.has(row.recommendation_id),
          result: state.results.get(row.recommendation_id),
          onSelect: select,
          open: openDetail,
        }),
      ),
    );
  }
  const first = state.total ? state.offset + 1 : 0;
  const last = state.offset + state.items.length;
  $("range").textContent = `${first}–${last} of ${state.total}`;
  $("caption").textContent = `Open recommendations: ${state.total} match, showing ${first}–${last}`;
  $("prev").disabled = state.offset === 0;
  $("next").disabled = last >= state.total;
  updateSelection();
}

function updateSelection() {
  const n = state.selected.size;
  $("selection-count").textContent = n ? `${n} row${n > 1 ? "s" : ""} selected` : "No rows selected";
  for (const id of ["approve", "reject"]) $(id).disabled = !state.canDecide || !n || state.busy;
  const onPage = state.items.filter((r) => state.selected.has(r.recommendation_id)).length;
  const all = $("select-all");
  if (all) {
    all.checked = onPage > 0 && onPage === state.items.length;
    all.indeterminate = onPage > 0 && onPage < state.items.length;
    all.disabled = !state.items.length;
  }
}

function select(id, on) {
  if (on) state.selected.add(id);
  else state.selected.delete(id);
  document.querySelector(`tr[data-id="${CSS.escape(id)}"]`)?.classList.toggle("selected", on);
  updateSelection();
}

/** In place, so the header's box keeps the keyboard's focus. */
function selectAll(on) {
  for (const row of state.items) {
    if (on) state.selected.add(row.recommendation_id);
    else state.selected.delete(row.recommendation_id);
  }
  for (const box of document.querySelectorAll("#grid-body td.select input")) {
    box.checked = on;
    box.closest("tr").classList.toggle("selected", on);
  }
  updateSelection();
}

/**
 * Other rows (filters, sort, page): the selection is cleared, so a decision never reaches a row
 * the user can no longer see.
 */
function navigate(offset = 0) {
  state.offset = offset;
  state.selected.clear();
  return load();
}

function sortBy(column) {
  state.sort = nextSort(state.sort, column);
  // Re-rendering the header replaces the button just pressed: give the new one its focus back.
  navigate().then(() => document.querySelector(`#grid-head button[data-sort="${column}"]`)?.focus());
}

function showSummary(children, kind = "info") {
  const box = $("summary");
  box.className = `summary ${kind}`;
  box.replaceChildren(...children.filter(Boolean));
  box.hidden = false;
}

const VERB = { approve: "Approved", reject: "Rejected" };

async function decide(decision) {
  const byId = new Map(state.items.map((r) => [r.recommendation_id, r]));
  const ids = [...state.selected];
  const note = $("note").value.trim();
  const acknowledge = $("acknowledge").checked;
  const decisions = ids.map((id) => ({
    recommendation_id: id,
    decision,
    ...(note ? { note } : {}),
    // The version the user saw: if the row changed meanwhile, the server refuses instead of deciding on the new one.
    ...(byId.get(id)?.approval?.version ? { version: byId.get(id).approval.version } : {}),
    ...(acknowledge ? { acknowledge_irreversible: true } : {}),
  }));
  state.busy = true;
  updateSelection();
  try {
    const { results } = await api("/approvals/decide", { method: "POST", body: { decisions } });
    state.results = new Map(results.map((r) => [r.recommendation_id, { ...r, decision }]));
    const refused = results.filter((r) => !r.ok);
    const label = (id) => {
      const row = byId.get(id);
      return row ? `${row.action} on ${row.resource_id ?? row.billing_account_id ?? id}` : id;
    };
    showSummary(
      [
        el(
          "p",
          {},
          `${VERB[decision]} ${results.length - refused.length} of ${results.length}.`,
          refused.length ? ` ${refused.length} refused:` : "",
        ),
        refused.length
          ? el(
              "ul",
              {},
              refused.map((r) =>
                el("li", {}, el("strong", {}, label(r.recommendation_id)), `: ${r.error?.message}`),
              ),
            )
          : null,
      ],
      refused.length ? "error" : "ok",
    );
    state.selected.clear();
    if (!refused.length) $("note").value = "";
  } catch (e) {
    // The whole request was refused (role, session, rate limit): every row keeps its selection.
    showSummary([el("p", {}, `Nothing was decided: ${e.message}`)], "error");
  } finally {
    state.busy = false;
    await load();
  }
}

function readFilters() {
  for (const name of FILTERS) state.filters[name] = $(`filter-${name}`).value.trim();
  navigate();
}

/** Names for the providers the product knows; any other (a FOCUS export's own) shows as it is billed. */
const PROVIDER_NAMES = { aws: "AWS", azure: "Azure", gcp: "Google Cloud" };

/**
 * The provider filter's options: the providers open recommendations name, with their counts. One
 * the address asks for but none names is kept, so the filter shows what is applied.
 */
async function fillProviders() {
  const { items } = await api("/recommendations/providers?status=open");
  const wanted = state.filters.provider;
  const providers = items.map((p) => [
    p.provider,
    `${PROVIDER_NAMES[p.provider] ?? p.provider} (${p.recommendations})`,
  ]);
  if (wanted && !items.some((p) => p.provider === wanted))
    providers.push([wanted, `${PROVIDER_NAMES[wanted] ?? wanted} (0)`]);
  $("filter-provider").replaceChildren(
    el("option", { value: "" }, "All"),
    ...providers.map(([value, label]) => el("option", { value }, label)),
  );
}

async function start() {
  await fillProviders().catch(() => undefined); // without it, the filter offers All only
  for (const name of FILTERS) $(`filter-${name}`).value = state.filters[name];
  $("page-size").value = String(state.limit);
  const me = await signedIn();
  state.canDecide = DECIDERS.has(me.role);
  $("who").textContent = `${me.username} (${me.role})`;
  if (!state.canDecide) {
    const hint = $("role-hint");
    hint.textContent = `Your role (${me.role}) can look but not decide: approving needs the approver role or higher.`;
    hint.hidden = false;
    for (const id of ["approve", "reject", "note", "acknowledge"]) {
      $(id).disabled = true;
      $(id).title = hint.textContent;
    }
  }
  $("logout").addEventListener("click", logout);
  $("filters").addEventListener("submit", (e) => e.preventDefault());
  for (const name of ["provider", "risk", "approval"])
    $(`filter-${name}`).addEventListener("change", readFilters);
  $("filter-q").addEventListener("input", debounce(readFilters, 300));
  $("approve").addEventListener("click", () => decide("approve"));
  $("reject").addEventListener("click", () => decide("reject"));
  $("prev").addEventListener("click", () => navigate(Math.max(0, state.offset - state.limit)));
  $("next").addEventListener("click", () => navigate(state.offset + state.limit));
  $("page-size").addEventListener("change", (e) => {
    state.limit = Number(e.target.value);
    navigate();
  });
  await load();
}

start();
