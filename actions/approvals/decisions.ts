/**
 * Decisions into ops.approvals: from an edited approval table (`cco approvals import`) or one at
 * a time (`cco approvals decide`), through the same checks. All or nothing: one bad row and
 * nothing is applied, every bad row is listed with its row, column and reason. Each decision is
 * appended (never updated) with its audit entry in the same transaction.
 */
import { randomUUID } from "node:crypto";
import path from "node:path";
import type { Config } from "../../core/config.ts";
import { CcoError, UsageError } from "../../core/errors.ts";
import type { Warehouse } from "../../core/warehouse/warehouse.ts";
import { appendAudit } from "../audit/log.ts";
import {
  cellText,
  DECISIONS,
  type Decision,
  normalizeCell,
  QUEUE_COLUMNS,
  type QueueRow,
  readOnlyCells,
} from "./columns.ts";
import { readQueue } from "./queue.ts";
import { fileSha256, readSheet, type SheetRow } from "./sheet.ts";

export interface DecisionProblem {
  file: string;
  /** The row in the file (the header is row 1); absent for a decision from the command line. */
  row?: number;
  column: string;
  reason: string;
}

/** Some rows are bad: nothing was applied (exit 1). */
export class DecisionsRejectedError extends CcoError {
  constructor(readonly problems: DecisionProblem[]) {
    super(
      `${problems.length} bad row${problems.length > 1 ? "s" : ""}, nothing applied:\n${problems
        .map(
          (p) =>
            `  ${p.file} (${p.row !== undefined ? `row ${p.row}, ` : ""}column ${p.column}): ${p.reason}`,
        )
        .join("\n")}`,
    );
  }
}

export interface AppliedDecision {
  approvalId: string;
  recommendationId: string;
  version: string;
  decision: Decision;
  row?: number;
}

export interface ImportResult {
  file: string;
  sha256: string;
  applied: AppliedDecision[];
  /** Rows with no decision, left alone. */
  skipped: number;
}

interface Candidate {
  row?: number;
  cells: SheetRow["cells"];
}

interface Validated {
  row?: number;
  queue: QueueRow;
  decision: Decision;
  executeAfter: Date | null;
  acknowledged: boolean;
  note: string | null;
}

const text = (v: unknown) => cellText(v).trim();

/** A cell's text in a message, cut short (a cell can hold a whole pasted document); quoted. */
const cut = (value: unknown) => {
  const t = String(value);
  return t.length > 80 ? `${t.slice(0, 80)}…` : t;
};
const quoted = (value: unknown) => `'${cut(value)}'`;

/**
 * ISO date or datetime, UTC unless an offset is given: 2026-11-03, 2026-11-03T22:00,
 * 2026-11-03 22:00:00+02:00. A date a sheet tool stored as a date cell is taken as UTC.
 */
export function parseExecuteAfter(value: unknown): Date | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value;
  const m =
    /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,3})?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(
      text(value),
    );
  if (!m) return undefined;
  const [y, mo, d, h = "0", mi = "0", s = "0"] = m.slice(1, 7).map((x) => x ?? undefined) as string[];
  const utc = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)));
  if (
    utc.getUTCFullYear() !== Number(y) ||
    utc.getUTCMonth() !== Number(mo) - 1 ||
    utc.getUTCDate() !== Number(d) ||
    utc.getUTCHours() !== Number(h) ||
    utc.getUTCMinutes() !== Number(mi) ||
    utc.getUTCSeconds() !== Number(s)
  ) {
    return undefined;
  }
  const ms = m[7] ? Math.round(Number(m[7]) * 1000) : 0;
  const offset = m[8] && m[8].toUpperCase() !== "Z" ? m[8].replace(":", "") : "+0000";
  const offsetMinutes =
    (offset[0] === "-" ? -1 : 1) * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(3, 5)));
  return new Date(utc.getTime() + ms - offsetMinutes * 60_000);
}

const expiresAt = (config: Pick<Config, "approvals">, decidedAt: Date) =>
  new Date(decidedAt.getTime() + config.approvals.expire_after_days * 86_400_000);

/** Check every candidate row; the problems, or the decisions to apply. */
async function validate(
  warehouse: Warehouse,
  config: Pick<Config, "approvals">,
  label: string,
  approver: string,
  candidates: Candidate[],
  now: Date,
): Promise<{ problems: DecisionProblem[]; decisions: Validated[] }> {
  const queue = new Map((await readQueue(warehouse)).map((q) => [q.recommendation_id, q]));
  const exported = new Map<string, Record<string, string>[]>();
  for (const r of await warehouse.all<{ id: string; version: string; cells: string }>(
    "select recommendation_id as id, version, cells::varchar as cells from ops.approval_exported_rows order by first_exported_at desc",
  )) {
    const key = `${r.id}|${r.version}`;
    exported.set(key, [...(exported.get(key) ?? []), JSON.parse(r.cells)]);
  }
  const approvedBefore = new Map<string, string>();
  for (const a of await warehouse.all<{ id: string; version: string; decided_at: string }>(
    `select recommendation_id as id, version, decided_at::varchar as decided_at from ops.approvals
     where approver = $1 and decision = 'approve' and expires_at > $2::timestamptz`,
    [approver, now.toISOString()],
  )) {
    approvedBefore.set(`${a.id}|${a.version}`, a.decided_at);
  }
  const problems: DecisionProblem[] = [];
  const decisions: Validated[] = [];
  const firstRowOf = new Map<string, number | undefined>();
  for (const { row, cells } of candidates) {
    const problem = (column: string, reason: string) => problems.push({ file: label, row, column, reason });
    const before = problems.length;
    const id = text(cells.recommendation_id);
    const q = queue.get(id);
    if (!id) problem("recommendation_id", "empty: every decided row needs its recommendation id");
    else if (!q)
      problem("recommendation_id", `${cut(id)} is not in the approval queue (unknown, or no longer open)`);
    if (id && firstRowOf.has(id)) {
      const first = firstRowOf.get(id);
      problem(
        "recommendation_id",
        `a second row for ${cut(id)}${first !== undefined ? ` (first at row ${first})` : ""}`,
      );
    } else if (id) firstRowOf.set(id, row);
    if (q) {
      const version = text(cells.version);
      if (version !== q.version) {
        problem(
          "version",
          `the recommendation changed since export (version ${cut(version) || "(blank)"} in the file, ${q.version} now): export again and decide on the new row`,
        );
      } else {
        const file = Object.fromEntries(QUEUE_COLUMNS.map((c) => [c, normalizeCell(c, cells[c])]));
        // As any export wrote it at this version, or as the queue holds it now (moved columns
        // such as the priority are then not an edit).
        const asExported = [...(exported.get(`${id}|${version}`) ?? []), readOnlyCells(q)];
        if (!asExported.some((e) => QUEUE_COLUMNS.every((c) => (e[c] ?? "") === file[c]))) {
          const latest = asExported[0]!;
          for (const c of QUEUE_COLUMNS.filter((c) => (latest[c] ?? "") !== file[c])) {
            problem(
              c,
              `read-only cell edited: ${quoted(file[c])} in the file, ${quoted(latest[c] ?? "")} as exported`,
            );
          }
        }
      }
    }
    const decision = text(cells.decision).toLowerCase();
    if (!DECISIONS.includes(decision as Decision)) {
      problem(
        "decision",
        `${quoted(text(cells.decision))} is not a decision: approve, reject or defer (blank skips the row)`,
      );
    }
    const executeAfterText = text(cells.execute_after);
    const executeAfter = executeAfterText ? parseExecuteAfter(cells.execute_after) : null;
    if (executeAfter === undefined) {
      problem(
        "execute_after",
        `${quoted(executeAfterText)} is not a date or datetime: use 2026-11-03 or 2026-11-03T22:00 (UTC unless an offset such as +02:00 is given)`,
      );
    } else if (executeAfter && executeAfter > expiresAt(config, now)) {
      problem(
        "execute_after",
        `${executeAfter.toISOString()} is after the approval expires (${expiresAt(config, now).toISOString()}, approvals.expire_after_days = ${config.approvals.expire_after_days}): decide closer to the date`,
      );
    }
    const ack = text(cells.acknowledge_irreversible).toLowerCase();
    if (!["", "yes", "y", "true"].includes(ack)) {
      problem(
        "acknowledge_irreversible",
        `${quoted(text(cells.acknowledge_irreversible))}: write yes, or leave blank`,
      );
    }
    const acknowledged = ack !== "";
    if (q && decision === "approve") {
      if (q.irreversible && !acknowledged) {
        problem(
          "acknowledge_irreversible",
          `${q.action_kind} cannot be undone: approving it needs acknowledge_irreversible = yes`,
        );
      }
      const earlier = approvedBefore.get(`${id}|${q.version}`);
      if (earlier) {
        problem(
          "decision",
          `${approver} already approved this version on ${earlier}: one approver counts once`,
        );
      }
    }
    if (problems.length === before && q) {
      decisions.push({
        row,
        queue: q,
        decision: decision as Decision,
        executeAfter: executeAfter ?? null,
        acknowledged,
        note: text(cells.note) || null,
      });
    }
  }
  return { problems, decisions };
}

/** Append the decisions and their audit entries in one transaction. */
async function apply(
  warehouse: Warehouse,
  config: Pick<Config, "approvals">,
  approver: string,
  source: { path: string; sha256: string | null },
  decisions: Validated[],
  now: Date,
): Promise<AppliedDecision[]> {
  return warehouse.transaction(async (tx) => {
    const applied: AppliedDecision[] = [];
    for (const d of decisions) {
      const approvalId = randomUUID();
      const expires = expiresAt(config, now).toISOString();
      await tx.run(
        `insert into ops.approvals values ($1, $2, $3, $4, $5, $6::timestamptz, $7::timestamptz, $8::timestamptz, $9, $10, $11, $12)`,
        [
          approvalId,
          d.queue.recommendation_id,
          d.queue.version,
          d.decision,
          approver,
          now.toISOString(),
          d.executeAfter?.toISOString() ?? null,
          expires,
          d.acknowledged,
          d.note,
          source.path,
          source.sha256,
        ],
      );
      await appendAudit(tx, {
        actor: approver,
        event: "approval.decided",
        subject: d.queue.recommendation_id,
        detail: {
          approval_id: approvalId,
          version: d.queue.version,
          decision: d.decision,
          execute_after: d.executeAfter?.toISOString() ?? null,
          expires_at: expires,
          acknowledge_irreversible: d.acknowledged,
          note: d.note,
          source: source.path,
          source_sha256: source.sha256,
        },
      });
      applied.push({
        approvalId,
        recommendationId: d.queue.recommendation_id,
        version: d.queue.version,
        decision: d.decision,
        row: d.row,
      });
    }
    return applied;
  });
}

function checkApprover(approver: string): string {
  const name = approver.trim();
  if (!name) throw new UsageError("--as: name the approver (e.g. --as alice@example.com)");
  return name;
}

/**
 * Rows of a file already imported from it: the same id, version and decision recorded from this
 * path, or from a file with these exact bytes (a copy imported elsewhere).
 */
export async function importedRows(
  warehouse: Warehouse,
  file: string,
  rows: SheetRow[],
): Promise<Set<number>> {
  const recorded = await warehouse.all<{ key: string }>(
    `select recommendation_id || '|' || version || '|' || decision as key from ops.approvals
     where source = $1 or source_sha256 = $2`,
    [path.resolve(file), fileSha256(file)],
  );
  const keys = new Set(recorded.map((r) => r.key));
  return new Set(
    rows
      .filter((r) =>
        keys.has(
          `${text(r.cells.recommendation_id)}|${text(r.cells.version)}|${text(r.cells.decision).toLowerCase()}`,
        ),
      )
      .map((r) => r.row),
  );
}

/** The rows of a file holding a decision not imported yet. */
export async function pendingRows(warehouse: Warehouse, file: string): Promise<SheetRow[]> {
  const rows = (await readSheet(file, { lenient: true })).filter((r) => text(r.cells.decision) !== "");
  const imported = await importedRows(warehouse, file, rows);
  return rows.filter((r) => !imported.has(r.row));
}

/**
 * `cco approvals import FILE --as APPROVER`. With onlyPending, rows already imported from this
 * file are left out (used by export --import-first, which imports what would be overwritten).
 */
export async function importDecisions(
  warehouse: Warehouse,
  config: Pick<Config, "approvals">,
  file: string,
  approverName: string,
  options: { now?: Date; onlyPending?: boolean } = {},
): Promise<ImportResult> {
  const approver = checkApprover(approverName);
  const now = options.now ?? new Date();
  const all = await readSheet(file);
  let decided = all.filter((r) => text(r.cells.decision) !== "");
  if (options.onlyPending) {
    const imported = await importedRows(warehouse, file, decided);
    decided = decided.filter((r) => !imported.has(r.row));
  }
  const { problems, decisions } = await validate(warehouse, config, file, approver, decided, now);
  if (problems.length) throw new DecisionsRejectedError(problems);
  const sha256 = fileSha256(file);
  const applied = await apply(
    warehouse,
    config,
    approver,
    { path: path.resolve(file), sha256 },
    decisions,
    now,
  );
  return { file: path.resolve(file), sha256, applied, skipped: all.length - decided.length };
}

/** `cco approvals decide ID approve|reject|defer --as X`: one decision, the same checks as a row. */
export async function decideOne(
  warehouse: Warehouse,
  config: Pick<Config, "approvals">,
  input: {
    recommendationId: string;
    decision: string;
    approver: string;
    note?: string;
    executeAfter?: string;
    acknowledgeIrreversible?: boolean;
    now?: Date;
    /** Where the decision came from, as ops.approvals.source records it: cli (default) or api. */
    source?: "cli" | "api";
  },
): Promise<AppliedDecision> {
  const approver = checkApprover(input.approver);
  const now = input.now ?? new Date();
  const [current] = await warehouse.all<QueueRow>(
    "select * from ops.approval_queue where recommendation_id = $1",
    [input.recommendationId],
  );
  // The command line decides on the row as it is now: its read-only cells are the queue's.
  const cells: SheetRow["cells"] = {
    ...(current ? readOnlyCells(current) : { recommendation_id: input.recommendationId }),
    decision: input.decision,
    execute_after: input.executeAfter ?? "",
    acknowledge_irreversible: input.acknowledgeIrreversible ? "yes" : "",
    note: input.note ?? "",
  };
  const { problems, decisions } = await validate(
    warehouse,
    config,
    "command line",
    approver,
    [{ cells }],
    now,
  );
  if (problems.length) throw new DecisionsRejectedError(problems);
  const source = { path: input.source ?? "cli", sha256: null };
  const [applied] = await apply(warehouse, config, approver, source, decisions, now);
  return applied!;
}
