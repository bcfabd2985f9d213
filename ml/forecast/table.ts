/** A plain-text table for the evaluations: the `left` columns (the first two) left-aligned, the others right-aligned. */
export function textTable(header: string[], rows: string[][], left: number[] = [0, 1]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (left.includes(i) ? (c ?? "").padEnd(widths[i]!) : (c ?? "").padStart(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

/** A number with `digits` decimals, "-" for none. */
export function fixed(value: number | string | null | undefined, digits = 2, suffix = ""): string {
  if (value === null || value === undefined || value === "") return "-";
  const n = Number(value);
  return Number.isFinite(n) ? `${n.toFixed(digits)}${suffix}` : "-";
}

/** Long ids (Azure billing accounts, OCI tenancies) cut in the middle to keep a table readable. */
export function shorten(text: string, max = 48): string {
  return text.length <= max ? text : `${text.slice(0, max - 16)}…${text.slice(-15)}`;
}
