/**
 * Small DOM and formatting helpers. Everything from the API goes in as text (never innerHTML):
 * resource names and notes are whatever the clouds and people wrote.
 */

/** An element with attributes (`on*` functions become listeners) and children (strings become text). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") node.addEventListener(name.slice(2), value);
    else if (name === "class") node.className = value;
    else if (name in node && typeof value !== "string") node[name] = value;
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  node.append(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return node;
}

const moneyFormats = new Map();

/**
 * Money exactly as the API gives it (a decimal string), grouped and with its currency:
 * Intl formats a decimal string without going through a float, and no digit is dropped.
 */
export function money(amount, currency) {
  if (amount === null || amount === undefined || amount === "") return "—";
  const text = String(amount);
  try {
    let format = moneyFormats.get(currency);
    if (!format) {
      format = new Intl.NumberFormat("en-US", {
        style: "currency",
        currency,
        minimumFractionDigits: 2,
        maximumFractionDigits: 20,
      });
      moneyFormats.set(currency, format);
    }
    return format.format(text);
  } catch {
    return `${text} ${currency ?? ""}`.trim();
  }
}

/** A number with two decimals (priority), or — when absent. */
export function decimal(value) {
  if (value === null || value === undefined || value === "") return "—";
  const n = Number(value);
  return Number.isFinite(n) ? n.toFixed(2) : String(value);
}

/** A timestamp as a short UTC date and time ("7 Dec 2026, 14:05 UTC"), or — when absent. */
export function when(value, { time = true } = {}) {
  if (!value) return "—";
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return `${date.toLocaleString("en-GB", {
    day: "numeric",
    month: "short",
    year: "numeric",
    ...(time ? { hour: "2-digit", minute: "2-digit" } : {}),
    timeZone: "UTC",
  })}${time ? " UTC" : ""}`;
}

/** A JSON column that may arrive parsed or as text. */
export function parsed(value, fallback) {
  if (value === null || value === undefined) return fallback;
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    return fallback;
  }
}

/** Run `fn` once `ms` have passed without another call. */
export function debounce(fn, ms) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}
