/**
 * Which EC2 resource an id names, as the warehouse spells AWS ids (the CUR's line_item_resource_id):
 * instances and volumes by id, snapshots by ARN (arn:aws:ec2:<region>:<account>:snapshot/snap-…)
 * or id, Elastic IPs by their public address (or allocation id). An ARN carries its region; a bare
 * id is in actions.aws.region.
 */
import { ProviderError, type ResourceKind } from "../adapter.ts";

export interface Ec2Ref {
  kind: Exclude<ResourceKind, "bucket">;
  /** The id EC2's API takes: i-…, vol-…, snap-…, a public IP or eipalloc-…. */
  id: string;
  /** From the ARN, when the id was one. */
  region?: string;
  account?: string;
}

const ARN = /^arn:aws[a-z-]*:ec2:([a-z0-9-]*):(\d*):(instance|volume|snapshot|elastic-ip)\/(.+)$/;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

export function ec2Ref(resourceId: string): Ec2Ref {
  const arn = ARN.exec(resourceId);
  const id = arn ? arn[4]! : resourceId;
  const where = arn ? { ...(arn[1] ? { region: arn[1] } : {}), ...(arn[2] ? { account: arn[2] } : {}) } : {};
  if (id.startsWith("i-")) return { kind: "vm", id, ...where };
  if (id.startsWith("vol-")) return { kind: "disk", id, ...where };
  if (id.startsWith("snap-")) return { kind: "snapshot", id, ...where };
  if (id.startsWith("eipalloc-") || IPV4.test(id)) return { kind: "ip", id, ...where };
  throw new ProviderError(
    "invalid",
    `'${resourceId}' is not an EC2 instance, volume, snapshot or Elastic IP id`,
  );
}

/** The snapshot's ARN as the CUR names it: what snapshot_disk returns, so the estate's ids line up. */
export const snapshotArn = (region: string, owner: string | undefined, snapshotId: string) =>
  `arn:aws:ec2:${region}:${owner ?? ""}:snapshot/${snapshotId}`;

const S3_ARN = /^arn:aws[a-z-]*:s3:::([^/]+)$/;
/** S3's bucket naming rules: 3 to 63 lower-case letters, digits, dots and hyphens, a letter or digit at each end. */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * The bucket a resource id names (the CUR's line_item_resource_id for S3 is the bucket's name; an
 * S3 ARN also names one), or undefined for an EC2 id.
 */
export function bucketName(resourceId: string): string | undefined {
  const arn = S3_ARN.exec(resourceId);
  if (arn) return arn[1];
  if (resourceId.startsWith("arn:")) return undefined;
  try {
    ec2Ref(resourceId);
    return undefined;
  } catch {
    return BUCKET.test(resourceId) && !IPV4.test(resourceId) ? resourceId : undefined;
  }
}
