/**
 * One cause shows in several scopes: a day of egress in an AWS account is an anomaly of its
 * service, its account, its region, its provider and the total alike. Each stays a row of its
 * own scope, and rows of one event share an event id: the id of the event's most specific row.
 * Rows belong to one event when they are in one currency, their days overlap, and their root
 * causes name the same top service and account.
 */
import type { Contributor } from "./root-cause.ts";

export interface EventMember {
  scope_type: string;
  currency: string;
  start_date: string;
  end_date: string;
  impact: string;
  root_cause: unknown[];
}

/** Most specific first: the scope an event is best reported in. */
const SPECIFICITY = ["service", "sub_account", "region", "billing_account", "provider", "total"];

function top(row: EventMember, dimension: string): string | undefined {
  return (row.root_cause as Contributor[]).find((c) => c.dimension === dimension)?.value;
}

/** The event id of each row (in the order given), from the rows' own ids. */
export function eventIds(rows: EventMember[], ids: string[]): string[] {
  const parent = rows.map((_, i) => i);
  const find = (i: number): number => {
    let root = i;
    while (parent[root] !== root) root = parent[root]!;
    return root;
  };
  const cause = rows.map((r) => `${r.currency}|${top(r, "service")}|${top(r, "account")}`);
  for (let i = 0; i < rows.length; i++)
    for (let j = i + 1; j < rows.length; j++) {
      const a = rows[i]!;
      const b = rows[j]!;
      if (cause[i] === cause[j] && a.start_date <= b.end_date && b.start_date <= a.end_date)
        parent[find(i)] = find(j);
    }
  const groups = new Map<number, number[]>();
  rows.forEach((_, i) => {
    const g = groups.get(find(i)) ?? [];
    g.push(i);
    groups.set(find(i), g);
  });
  const event = new Array<string>(rows.length);
  for (const members of groups.values()) {
    const primary = [...members].sort(
      (x, y) =>
        SPECIFICITY.indexOf(rows[x]!.scope_type) - SPECIFICITY.indexOf(rows[y]!.scope_type) ||
        Number(rows[y]!.impact) - Number(rows[x]!.impact) ||
        ids[x]!.localeCompare(ids[y]!),
    )[0]!;
    for (const m of members) event[m] = ids[primary]!;
  }
  return event;
}
