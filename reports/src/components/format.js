// Formats and building blocks every page shares: money in its own currency with thousands
// separators, percentages, human column headers, right-aligned numeric columns, tables without
// row selection, and the plain "not loaded yet" notice.
import * as Inputs from "@observablehq/inputs";

/** A DOM element: el("p", {class: "x"}, "text", child, …) (no html library: this module loads offline). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  for (const c of children.flat())
    if (c !== null && c !== undefined && c !== "") node.append(c instanceof Node ? c : String(c));
  return node;
}

const moneyFormats = new Map();
/**
 * 12,345 USD as "$12,345": whole units from 1,000 up, cents below (or `digits`); `sign` puts
 * a + on gains, as a change column wants.
 */
export function money(value, currency, { digits, sign = false } = {}) {
  if (value === null || value === undefined || value === "") return "–";
  const n = Number(value);
  const d = digits ?? (Math.abs(n) < 1000 ? 2 : 0);
  const key = `${currency}:${d}:${sign}`;
  if (!moneyFormats.has(key))
    moneyFormats.set(
      key,
      new Intl.NumberFormat("en-US", {
        style: "currency",
        currency: currency || "USD",
        minimumFractionDigits: d,
        maximumFractionDigits: d,
        signDisplay: sign ? "exceptZero" : "auto",
      }),
    );
  return moneyFormats.get(key).format(n);
}

const numberFormat = new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 });
export function number(value) {
  return value === null || value === undefined ? "–" : numberFormat.format(Number(value));
}

/** 0.1234 or 12.34 (say which with `fraction`) as "12.3%"; signed with `sign`. */
export function pct(value, { fraction = false, sign = false } = {}) {
  if (value === null || value === undefined || Number.isNaN(Number(value))) return "–";
  const n = Number(value) * (fraction ? 100 : 1);
  return `${sign && n > 0 ? "+" : ""}${n.toFixed(1)}%`;
}

export function day(value) {
  if (!value) return "–";
  return new Date(`${String(value).slice(0, 10)}T00:00:00Z`).toLocaleDateString("en-GB", {
    day: "numeric",
    month: "short",
    year: "numeric",
    timeZone: "UTC",
  });
}

export function monthLabel(value) {
  return new Date(`${value}-01T00:00:00Z`).toLocaleDateString("en-GB", {
    month: "short",
    year: "numeric",
    timeZone: "UTC",
  });
}

/**
 * A table for people: the given columns under human headers, numbers right-aligned and
 * formatted, no selection checkboxes, sortable.
 * columns: [{key, label, money: true | "its currency column", pct, number, day, sign, format}]
 */
export function table(rows, columns, { rows: visible = 12, currencyKey = "currency" } = {}) {
  const format = {};
  const align = {};
  const header = {};
  for (const c of columns) {
    header[c.key] = c.label;
    if (c.money) {
      // One precision per column: cents only where every amount is small.
      const digits = rows.some((r) => Math.abs(Number(r[c.key])) >= 1000) ? 0 : 2;
      const cur = typeof c.money === "string" ? c.money : currencyKey;
      format[c.key] = (v, i, data) => money(v, data[i][cur], { digits, sign: c.sign });
      align[c.key] = "right";
    } else if (c.pct) {
      format[c.key] = (v) => pct(v, { sign: c.sign });
      align[c.key] = "right";
    } else if (c.number) {
      format[c.key] = number;
      align[c.key] = "right";
    } else if (c.day) format[c.key] = day;
    else if (c.format) format[c.key] = c.format;
  }
  return Inputs.table(rows, {
    columns: columns.map((c) => c.key),
    header,
    format,
    align,
    select: false,
    rows: Math.min(visible, Math.max(rows.length, 1)) + 0.5,
    layout: "auto",
  });
}

/** What is not loaded yet, and how to load it. */
export function notLoaded(what, how) {
  return el("div", { class: "note cco-not-loaded" }, el("strong", {}, `${what} not loaded yet.`), ` ${how}`);
}

/** "Data to 31 Oct 2026 (from 4 Jul 2026), built 30 Nov 2026 17:20 UTC." */
export function asOf(meta) {
  const built = new Date(meta.built_at).toISOString().slice(0, 16).replace("T", " ");
  return el(
    "p",
    { class: "cco-as-of" },
    `Data from ${day(meta.first_day)} to `,
    el("strong", {}, day(meta.last_day)),
    `; amounts in each billing currency, never added across currencies. Built ${built} UTC.`,
  );
}

/** A headline figure: a label, the value, an optional line under it. */
export function figure(label, value, detail = "") {
  return el(
    "div",
    { class: "card cco-figure" },
    el("h2", {}, label),
    el("span", { class: "big" }, value),
    detail ? el("div", { class: "muted" }, detail) : null,
  );
}
