/**
 * What an action kind declares (as Cloud Custodian's actions declare schema and permissions):
 * its input, the permissions each provider needs, the states it may start from, its forward
 * steps built from the resource's prior state, the state each step leaves (for the check and
 * for reconciling after a crash), its undo, and how a change is verified. The executor
 * (actions/executor) runs any kind the same way.
 */
import type { z } from "zod";
import type { Operation, Provider, ResourceKind, ResourceState } from "../providers/adapter.ts";

/** The ops.approval_queue row a kind reads its parameters from. */
export type { QueueRow } from "../approvals/columns.ts";
import type { QueueRow } from "../approvals/columns.ts";

/** What the resource must look like; a field left out is not compared. tags: null = key absent. */
export interface Expectation {
  exists?: boolean;
  status?: string[];
  size?: string;
  sizeGb?: number;
  attachedTo?: string[];
  tags?: Record<string, string | null>;
  /** A bucket's lifecycle rules by id: true present, false absent; others not compared. */
  lifecycleRules?: Record<string, boolean>;
}

export interface ActionKind<P = Record<string, unknown>> {
  readonly name: string;
  readonly resourceKind: ResourceKind;
  readonly description: string;
  /** A step no undo restores: the approval must acknowledge it, and what is lost is recorded first. */
  readonly irreversible: boolean;
  readonly input: z.ZodType<P>;
  /** The raw input read from the queue row (validated with `input` by the caller). */
  parameters(row: QueueRow): Record<string, unknown>;
  /** Per provider, the IAM actions / Azure RBAC actions / GCP permissions the forward steps and the undo need. */
  readonly permissions: Readonly<Record<Provider, readonly string[]>>;
  /** Statuses (ResourceState.status) the change may start from. */
  readonly startStates: readonly string[];
  /** The state recorded with the recommendation (from the queue row): pre-flight refuses a drifted resource. */
  recorded(row: QueueRow, params: P): Expectation;
  /** Forward steps from the prior state; the same input always gives the same list. */
  steps(prior: ResourceState, params: P, actionId: string): Operation[];
  /**
   * The resource's state once `done` steps have applied (0: the prior state), for the check and
   * for reconciling an interrupted step; undefined where a step leaves no trace on the resource
   * (a snapshot taken of a disk): its idempotency token is what keeps a re-send from applying twice.
   */
  after(prior: ResourceState, params: P, done: number): Expectation | undefined;
  /**
   * Operations restoring the prior state once `done` forward steps have applied (all of them, or
   * fewer when a step failed half way), given the steps' outputs; null: irreversible.
   */
  undo(prior: ResourceState, params: P, outputs: Record<string, string>, done: number): Operation[] | null;
  /** The resource checked after the undo, from the undo's outputs (a restored disk has a new id). */
  undoneResource?(prior: ResourceState, undoOutputs: Record<string, string>): string;
  /** metrics: fresh CPU after the change against the baseline and the prediction; state: the check only. */
  readonly verification: "metrics" | "state";
  /** What an irreversible step destroys, recorded in the audit log before it runs. */
  loses?(prior: ResourceState): Record<string, unknown>;
}

/** Reasons `state` differs from `expected`, empty when it matches. */
export function mismatches(state: ResourceState, expected: Expectation): string[] {
  const out: string[] = [];
  if (expected.exists !== undefined && state.exists !== expected.exists)
    out.push(expected.exists ? "the resource does not exist" : "the resource still exists");
  if (!state.exists) return out;
  if (expected.status && !expected.status.includes(state.status ?? ""))
    out.push(`status is ${state.status ?? "unknown"}, expected ${expected.status.join(" or ")}`);
  if (expected.size !== undefined && !sameName(state.size, expected.size))
    out.push(`size is ${state.size ?? "unknown"}, expected ${expected.size}`);
  if (expected.sizeGb !== undefined && state.sizeGb !== undefined && state.sizeGb !== expected.sizeGb)
    out.push(`size is ${state.sizeGb} GB, expected ${expected.sizeGb} GB`);
  if (expected.attachedTo) {
    const have = [...(state.attachedTo ?? [])].sort().join(",");
    const want = [...expected.attachedTo].sort().join(",");
    if (have.toLowerCase() !== want.toLowerCase())
      out.push(`attached to ${have || "nothing"}, expected ${want || "nothing"}`);
  }
  for (const [key, value] of Object.entries(expected.tags ?? {})) {
    const have = state.tags[key];
    if (value === null && have !== undefined) out.push(`tag ${key} is present`);
    if (value !== null && have !== value) out.push(`tag ${key} is ${have ?? "absent"}, expected ${value}`);
  }
  for (const [id, present] of Object.entries(expected.lifecycleRules ?? {})) {
    const has = state.lifecycleRules?.includes(id) ?? false;
    if (present !== has) out.push(`lifecycle rule ${id} is ${has ? "present" : "absent"}`);
  }
  return out;
}

/** Sizes and types compare case-insensitively (Azure spells Standard_D2s_v3 either way). */
const sameName = (a: string | undefined, b: string) => (a ?? "").toLowerCase() === b.toLowerCase();

/** "gp2 100 GB…" → 100: the size a queue row's configuration text records, if any. */
export function gbIn(text: string | null): number | undefined {
  const m = /(\d+(?:\.\d+)?)\s*GB\b/i.exec(text ?? "");
  return m ? Number(m[1]) : undefined;
}

/** The first word of a configuration text: the VM size of "m5.large, 24x7", the type of "gp2 100 GB". */
export function firstWord(text: string | null): string | undefined {
  const m = /^\s*([^\s,]+)/.exec(text ?? "");
  return m?.[1];
}

/**
 * A disk's type in a configuration text: what comes before its size ("Premium SSD" of "Premium SSD
 * 512.0 GB, unattached": Azure's disk types are several words), else the first word ("gp2").
 */
export function diskTypeIn(text: string | null): string | undefined {
  const m = /^\s*(.+?)\s+\d+(?:\.\d+)?\s*GB\b/i.exec(text ?? "");
  return m ? m[1]!.trim() : firstWord(text);
}

export const VM_RUNNING = ["running"];
export const VM_STOPPED = ["stopped", "deallocated"];

// biome-ignore lint/suspicious/noExplicitAny: a kind of any input, as the registry and the executor hold them (each checks its own)
export type AnyKind = ActionKind<any>;
