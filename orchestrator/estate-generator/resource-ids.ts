/**
 * Resource ids and zones in each provider's own notation (EC2 ids and ARNs,
 * Azure resource paths, GCP full resource names, OCI OCIDs), so ingest and the
 * recommendations see the ids they would see from a real account.
 */
import type { SubAccount } from "./accounts.ts";
import type { Provider } from "./catalog.ts";
import type { EstateResource, ResourceKind } from "./estate.ts";
import type { Prng } from "./prng.ts";

export function zoneOf(provider: Provider, region: string, rng: Prng): string {
  if (provider === "aws") return `${region}${rng.pick(["a", "b", "c"])}`;
  if (provider === "gcp") return `${region}-${rng.pick(["a", "b", "c"])}`;
  if (provider === "azure") return rng.pick(["1", "2", "3"]);
  return `${region}-AD-1`;
}

export function resourceId(
  provider: Provider,
  kind: ResourceKind,
  sub: SubAccount,
  r: EstateResource,
  rng: Prng,
): string {
  const name = r.resourceName;
  if (provider === "aws") {
    const prefix = { vm: "i-0", disk: "vol-0", snapshot: "snap-0", ip: "eipalloc-0", bucket: "" }[kind];
    if (kind === "bucket") return `acme-${name}-${rng.hex(6)}`;
    if (kind === "snapshot") return `arn:aws:ec2:${r.region}::snapshot/${prefix}${rng.hex(16)}`;
    return `${prefix}${rng.hex(16)}`;
  }
  if (provider === "azure") {
    const rg = `rg-${r.tags.team ?? "shared"}-${sub.env}`;
    const type = {
      vm: "Microsoft.Compute/virtualMachines",
      disk: "Microsoft.Compute/disks",
      snapshot: "Microsoft.Compute/snapshots",
      ip: "Microsoft.Network/publicIPAddresses",
      bucket: "Microsoft.Storage/storageAccounts",
    }[kind];
    const leaf = kind === "bucket" ? `acme${rng.hex(10)}` : name;
    return `/subscriptions/${sub.id}/resourceGroups/${rg}/providers/${type}/${leaf}`;
  }
  if (provider === "gcp") {
    const path = {
      vm: `projects/${sub.id}/zones/${r.zone}/instances/${name}`,
      disk: `projects/${sub.id}/zones/${r.zone}/disks/${name}`,
      snapshot: `projects/${sub.id}/global/snapshots/${name}`,
      ip: `projects/${sub.id}/regions/${r.region}/addresses/${name}`,
      bucket: `projects/_/buckets/acme-${name}`,
    }[kind];
    return `//${kind === "bucket" ? "storage" : "compute"}.googleapis.com/${path}`;
  }
  const ocid = { vm: "instance", disk: "volume", snapshot: "volumebackup", ip: "publicip", bucket: "bucket" }[
    kind
  ];
  return `ocid1.${ocid}.oc1.iad.aaaaaaaa${rng.hex(40)}`;
}
