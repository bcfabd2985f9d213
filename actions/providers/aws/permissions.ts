/**
 * Every API call the AWS adapter can make (EC2, CloudWatch, S3), and the IAM permission each needs; and which calls
 * each Operation (and describe() of each resource kind) makes, waiters and look-ups included.
 * A test checks that each action kind's declared permissions.aws cover every call its steps and
 * undo make, so `cco actions policy` never prints a policy the adapter would trip over.
 */
import type { Operation, ResourceKind } from "../adapter.ts";

export const CALL_PERMISSIONS = {
  DescribeInstances: "ec2:DescribeInstances",
  StopInstances: "ec2:StopInstances",
  StartInstances: "ec2:StartInstances",
  ModifyInstanceAttribute: "ec2:ModifyInstanceAttribute",
  DescribeVolumes: "ec2:DescribeVolumes",
  CreateSnapshot: "ec2:CreateSnapshot",
  DescribeSnapshots: "ec2:DescribeSnapshots",
  DetachVolume: "ec2:DetachVolume",
  DeleteVolume: "ec2:DeleteVolume",
  CreateVolume: "ec2:CreateVolume",
  AttachVolume: "ec2:AttachVolume",
  ModifyVolume: "ec2:ModifyVolume",
  DescribeVolumesModifications: "ec2:DescribeVolumesModifications",
  DeleteSnapshot: "ec2:DeleteSnapshot",
  DescribeAddresses: "ec2:DescribeAddresses",
  ReleaseAddress: "ec2:ReleaseAddress",
  CreateTags: "ec2:CreateTags",
  DeleteTags: "ec2:DeleteTags",
  GetMetricData: "cloudwatch:GetMetricData",
  // S3's IAM actions are not named as its API calls
  // (https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucketLifecycle.html: "you must have
  // permission to perform the s3:PutLifecycleConfiguration action").
  GetBucketLifecycleConfiguration: "s3:GetLifecycleConfiguration",
  PutBucketLifecycleConfiguration: "s3:PutLifecycleConfiguration",
  DeleteBucketLifecycle: "s3:PutLifecycleConfiguration",
  GetBucketTagging: "s3:GetBucketTagging",
} as const;

export type AwsCall = keyof typeof CALL_PERMISSIONS;
/** @deprecated the calls are EC2's and S3's: AwsCall. */
export type Ec2Call = AwsCall;

/** The calls describe() makes for each kind of resource. */
export const DESCRIBE_CALLS: Record<ResourceKind, readonly AwsCall[]> = {
  vm: ["DescribeInstances"],
  disk: ["DescribeVolumes"],
  snapshot: ["DescribeSnapshots"],
  ip: ["DescribeAddresses"],
  bucket: ["GetBucketLifecycleConfiguration", "GetBucketTagging"],
};

/** The first (EC2: only) call describe() makes for each kind. */
export const DESCRIBE_CALL: Record<ResourceKind, AwsCall> = {
  vm: "DescribeInstances",
  disk: "DescribeVolumes",
  snapshot: "DescribeSnapshots",
  ip: "DescribeAddresses",
  bucket: "GetBucketLifecycleConfiguration",
};

/**
 * The calls each operation may make. Tags given at creation (TagSpecifications on CreateSnapshot
 * and CreateVolume) need ec2:CreateTags as well, as EC2 authorizes them as a CreateTags.
 */
export const OPERATION_CALLS: Record<Operation["op"], readonly AwsCall[]> = {
  stop_vm: ["StopInstances", "DescribeInstances"],
  start_vm: ["StartInstances", "DescribeInstances"],
  resize_vm: ["DescribeInstances", "ModifyInstanceAttribute"],
  // The token's snapshot is looked up first (CreateSnapshot takes no ClientToken), then waited for.
  snapshot_disk: ["DescribeVolumes", "DescribeSnapshots", "CreateSnapshot", "CreateTags"],
  // An attached volume: its instance must be stopped (read), then it is detached and waited for.
  delete_disk: ["DescribeVolumes", "DescribeInstances", "DetachVolume", "DeleteVolume"],
  // The snapshot's tags say where the disk was; the instance's zone when they do not.
  restore_disk: [
    "DescribeSnapshots",
    "DescribeInstances",
    "CreateVolume",
    "CreateTags",
    "DescribeVolumes",
    "AttachVolume",
  ],
  change_disk_type: ["DescribeVolumes", "ModifyVolume", "DescribeVolumesModifications"],
  delete_snapshot: ["DeleteSnapshot"],
  release_address: ["DescribeAddresses", "ReleaseAddress"],
  set_tags: ["CreateTags"],
  remove_tags: ["DeleteTags"],
  // Read, write the whole configuration back (or delete it when no rule is left), read back.
  put_lifecycle_rule: ["GetBucketLifecycleConfiguration", "PutBucketLifecycleConfiguration"],
  delete_lifecycle_rule: [
    "GetBucketLifecycleConfiguration",
    "PutBucketLifecycleConfiguration",
    "DeleteBucketLifecycle",
  ],
};

/** The IAM permissions an operation needs on a resource of `kind` (describe() included). */
export function permissionsFor(op: Operation["op"], kind: ResourceKind): string[] {
  const calls = new Set<AwsCall>([...DESCRIBE_CALLS[kind], ...OPERATION_CALLS[op]]);
  return [...calls].map((c) => CALL_PERMISSIONS[c]);
}
