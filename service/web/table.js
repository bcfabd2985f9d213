/**
 * The grid's table: its columns, the header with sort buttons (aria-sort says the order) and
 * one row per recommendation with its selection box and the last decision's result.
 */
import { decimal, el, money, when } from "/dom.js";

/** `sort`: the API column the header sorts by (server side); absent: not sortable. */
export const COLUMNS = [
  { key: "provider", label: "Provider", sort: "provider" },
  { key: "detector", label: "Detector", sort: "detector" },
  { key: "resource", label: "Resource", sort: "resource_id" },
  { key: "account", label: "Account", sort: "sub_account_id" },
  { key: "region", label: "Region", sort: "region" },
  { key: "action", label: "Action → target" },
  { key: "savings", label: "Monthly savings", sort: "estimated_monthly_savings", numeric: true },
  { key: "risk", label: "Risk", sort: "risk_score" },
  { key: "priority", label: "Priority", sort: "priority", numeric: true },
  { key: "approval", label: "Approval" },
  { key: "expires", label: "Expires" },
];

/** Columns whose first click sorts high to low (money, risk, priority). */
const DESCENDING_FIRST = new Set(["estimated_monthly_savings", "risk_score", "priority"]);

/** The sort after clicking `column` under the current `sort` ("-x" descending). */
export function nextSort(current, column) {
  if (current === column) return `-${column}`;
  if (current === `-${column}`) return column;
  return DESCENDING_FIRST.has(column) ? `-${column}` : column;
}

export function renderHead(row, { sort, onSort, onSelectAll }) {
  const all = el("input", {
    type: "checkbox",
    id: "select-all",
    "aria-label": "Select every row on this page",
    onchange: (e) => onSelectAll(e.target.checked),
  });
  const cells = COLUMNS.map((c) => {
    const direction = sort === c.sort ? "ascending" : sort === `-${c.sort}` ? "descending" : null;
    const th = el("th", {
      scope: "col",
      class: c.numeric ? "num" : undefined,
      "aria-sort": c.sort ? (direction ?? "none") : undefined,
      "data-column": c.key,
    });
    if (!c.sort) th.append(c.label);
    else {
      th.append(
        el(
          "button",
          { type: "button", class: "sort", "data-sort": c.sort, onclick: () => onSort(c.sort) },
          c.label,
          el(
            "span",
            { class: "arrow", "aria-hidden": "true" },
            direction === "ascending" ? " ▲" : direction ? " ▼" : "",
          ),
        ),
      );
    }
    return th;
  });
  row.replaceChildren(el("th", { scope: "col", class: "select" }, all), ...cells);
}

const RESULT_TEXT = { approve: "Approved", reject: "Rejected", defer: "Deferred" };

/** The last decision's result on the row: the state column shows where it stands now. */
function resultNote(result) {
  if (!result) return null;
  if (result.ok)
    return el("div", { class: "result ok" }, `${RESULT_TEXT[result.decision] ?? "Decided"} just now`);
  return el("div", { class: "result refused" }, `Refused: ${result.error?.message ?? "unknown error"}`);
}

/** detector and action names as words, so the columns can wrap ("idle_vm" -> "idle vm"). */
const words = (name) => String(name ?? "—").replaceAll("_", " ");

function cell(row, key) {
  switch (key) {
    case "detector":
      return words(row.detector);
    case "resource":
      return row.resource_id ?? "(account-wide)";
    case "account": {
      const account = row.sub_account_id ?? row.billing_account_id;
      return account ? el("span", { class: "clip", title: account }, account) : "—";
    }
    case "action":
      return row.target_configuration
        ? `${words(row.action)} → ${row.target_configuration}`
        : words(row.action);
    case "savings":
      return money(row.estimated_monthly_savings, row.currency);
    case "risk":
      return row.risk_level
        ? el("span", { class: `risk risk-${row.risk_level}` }, row.risk_level)
        : el("span", { class: "muted" }, "—");
    case "priority":
      return decimal(row.priority);
    case "approval": {
      const a = row.approval;
      return a ? el("span", { class: "state" }, `${a.state} ${a.approvals}/${a.required}`) : "—";
    }
    case "expires":
      return when(row.approval?.expires_at, { time: false });
    default:
      return row[key] ?? "—";
  }
}

/** One row; `selected`/`result` from the page's state, `open` opens its detail. */
export function renderRow(row, { selected, result, onSelect, open }) {
  const id = row.recommendation_id;
  const what = `${row.action} on ${row.resource_id ?? row.billing_account_id ?? id}`;
  const tr = el("tr", { "data-id": id, class: selected ? "selected" : undefined });
  tr.append(
    el(
      "td",
      { class: "select" },
      el("input", {
        type: "checkbox",
        checked: selected,
        "aria-label": `Select ${what}`,
        onchange: (e) => onSelect(id, e.target.checked),
      }),
    ),
  );
  for (const c of COLUMNS) {
    const td = el("td", { class: c.numeric ? "num" : undefined, "data-column": c.key });
    if (c.key === "resource") {
      const text = cell(row, c.key);
      td.append(
        el(
          "button",
          { type: "button", class: "link", title: `Details of ${what}`, onclick: () => open(row) },
          text,
        ),
      );
    } else td.append(cell(row, c.key));
    if (c.key === "approval") td.append(resultNote(result) ?? "");
    tr.append(td);
  }
  // A click anywhere else on the row opens its detail too (the resource button is the keyboard's way).
  tr.addEventListener("click", (e) => {
    if (!e.target.closest("input, button, a, label")) open(row);
  });
  return tr;
}
