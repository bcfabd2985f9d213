/**
 * cco's tags as GCP labels. Labels allow only [a-z0-9_-] (keys start with a letter, both at most
 * 63 characters: https://cloud.google.com/compute/docs/labeling-resources#requirements), while
 * cco's own tag is `cco:schedule = weekdays 07:00-19:00`. A tag that is a valid label is written
 * as it is; any other is escaped reversibly, every byte outside [a-z0-9-] (and `_` itself) as
 * `_` + two hex digits: `cco_3aschedule = weekdays_2007_3a00-19_3a00`. Reading decodes a label
 * only when it is such an escape of something that could not have been a label, so the labels
 * other tools set read back unchanged.
 */
import { ProviderError } from "../adapter.ts";

const PLAIN = /^[a-z0-9_-]*$/;
const ESCAPED = /^(?:[a-z0-9-]|_[0-9a-f]{2})*$/;
const fatal = new TextDecoder("utf-8", { fatal: true });

function escapeLabel(text: string): string {
  if (PLAIN.test(text)) return text;
  let out = "";
  for (const byte of Buffer.from(text, "utf8")) {
    const ch = String.fromCharCode(byte);
    out += /[a-z0-9-]/.test(ch) ? ch : `_${byte.toString(16).padStart(2, "0")}`;
  }
  return out;
}

function unescapeLabel(label: string): string {
  if (!label.includes("_") || !ESCAPED.test(label)) return label;
  const bytes: number[] = [];
  for (let i = 0; i < label.length; ) {
    if (label[i] === "_") {
      const byte = Number.parseInt(label.slice(i + 1, i + 3), 16);
      // An escape of a character that needs none was not written by cco.
      if (/[a-z0-9-]/.test(String.fromCharCode(byte))) return label;
      bytes.push(byte);
      i += 3;
    } else bytes.push(label.charCodeAt(i++));
  }
  try {
    const text = fatal.decode(Uint8Array.from(bytes));
    return PLAIN.test(text) || /\p{Cc}/u.test(text) ? label : text;
  } catch {
    return label;
  }
}

export function toLabel(key: string, value: string): [string, string] {
  const k = escapeLabel(key);
  const v = escapeLabel(value);
  if (!/^[a-z]/.test(k) || k.length > 63)
    throw new ProviderError(
      "invalid",
      `tag key '${key}' cannot be a GCP label key ('${k}': a lowercase letter first, at most 63 characters)`,
    );
  if (v.length > 63)
    throw new ProviderError(
      "invalid",
      `tag ${key}: value '${value}' is longer than a GCP label value (63 characters once escaped)`,
    );
  return [k, v];
}

export const labelKey = (key: string) => escapeLabel(key);

export function tagsOf(labels: Record<string, string> | null | undefined): Record<string, string> {
  return Object.fromEntries(
    Object.entries(labels ?? {}).map(([k, v]) => [unescapeLabel(k), unescapeLabel(v)]),
  );
}
