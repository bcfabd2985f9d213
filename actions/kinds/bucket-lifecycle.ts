/**
 * bucket_lifecycle (cold AWS buckets): adds one rule to the bucket's lifecycle configuration that
 * moves objects to the target storage class after N days ("lifecycle: STANDARD_IA after 30
 * days"). Rules the bucket already has are kept: S3 replaces the whole configuration on every
 * write, so the adapter reads it and writes it back with ours added. Undo deletes our rule only.
 * Objects already moved stay in Standard-IA (S3 has no rule that moves them back): the undo stops
 * further transitions. AWS only: the Azure and GCP adapters do not manage Blob or GCS lifecycle
 * policies, so those providers declare no permissions and the approval queue gives their rows no
 * action kind.
 */
import { z } from "zod";
import type { ActionKind } from "./kind.ts";

/** S3's storage classes a lifecycle Transition may name. */
const STORAGE_CLASSES = [
  "STANDARD_IA",
  "ONEZONE_IA",
  "INTELLIGENT_TIERING",
  "GLACIER_IR",
  "GLACIER",
  "DEEP_ARCHIVE",
] as const;

const TARGET = /^\s*lifecycle:\s*([A-Z_]+)\s+after\s+(\d+)\s+days?\s*$/i;

const input = z.strictObject({
  storage_class: z.enum(STORAGE_CLASSES, {
    error: 'expected a target such as "lifecycle: STANDARD_IA after 30 days" (target_configuration)',
  }),
  transition_days: z.number().int().min(0),
});
type Input = z.output<typeof input>;

/** One id per target, so a re-sent step replaces its own rule and pre-flight sees it already there. */
export const lifecycleRuleId = (p: Input) =>
  `cco-${p.storage_class.toLowerCase().replace(/_/g, "-")}-after-${p.transition_days}-days`;

export const bucketLifecycle: ActionKind<Input> = {
  name: "bucket_lifecycle",
  resourceKind: "bucket",
  description: "add a lifecycle rule moving a bucket's objects to a cheaper class; undo deletes the rule",
  irreversible: false,
  input,
  parameters(row) {
    const m = TARGET.exec(row.target_configuration ?? "");
    return m ? { storage_class: m[1]!.toUpperCase(), transition_days: Number(m[2]) } : { storage_class: "" };
  },
  permissions: {
    // DeleteBucketLifecycle (the last rule removed) is authorized as s3:PutLifecycleConfiguration;
    // GetBucketTagging reads the tags pre-flight checks for protection.
    aws: ["s3:GetLifecycleConfiguration", "s3:PutLifecycleConfiguration", "s3:GetBucketTagging"],
    azure: [],
    gcp: [],
  },
  startStates: ["available"],
  recorded: (_row, p) => ({ exists: true, lifecycleRules: { [lifecycleRuleId(p)]: false } }),
  steps: (_prior, p) => [
    {
      op: "put_lifecycle_rule",
      ruleId: lifecycleRuleId(p),
      transitionDays: p.transition_days,
      storageClass: p.storage_class,
    },
  ],
  // The rules that were there stay there, whatever was done.
  after: (prior, p, done) => ({
    exists: true,
    lifecycleRules: {
      ...Object.fromEntries((prior.lifecycleRules ?? []).map((id) => [id, true])),
      [lifecycleRuleId(p)]: done > 0,
    },
  }),
  undo: (_prior, p, _outputs, done) =>
    done === 0 ? [] : [{ op: "delete_lifecycle_rule", ruleId: lifecycleRuleId(p) }],
  verification: "state",
};
