/**
 * GCP resource ids as the rest of cco spells them (the billing export's and the inventory's
 * //compute.googleapis.com/projects/P/zones/Z/instances/N, "disk" or "disks"), Compute self links
 * (https://www.googleapis.com/compute/v1/projects/…) and relative names (projects/P/…), read into
 * the request fields the Compute API takes. N may be the resource's name or its numeric id: the
 * API accepts either in the path, and the project by id or by number.
 */
import { createHash } from "node:crypto";
import { ProviderError, type ResourceKind } from "../adapter.ts";

export type Collection = "instances" | "disks" | "snapshots" | "addresses";

export interface GcpRef {
  project: string;
  /** Zonal (instances, disks), regional (addresses) or global (snapshots, global addresses). */
  zone?: string;
  region?: string;
  collection: Collection;
  name: string;
}

const COLLECTIONS: Record<string, Collection> = {
  instance: "instances",
  instances: "instances",
  disk: "disks",
  disks: "disks",
  snapshot: "snapshots",
  snapshots: "snapshots",
  address: "addresses",
  addresses: "addresses",
};

export const KIND_OF: Record<Collection, ResourceKind> = {
  instances: "vm",
  disks: "disk",
  snapshots: "snapshot",
  addresses: "ip",
};

const PATTERN =
  /projects\/([^/]+)\/(?:zones\/([^/]+)|regions\/([^/]+)|(global))\/(instances?|disks?|snapshots?|address(?:es)?)\/([^/?#]+)$/;

export function parseRef(resourceId: string): GcpRef {
  const m = PATTERN.exec(resourceId.trim());
  if (!m) {
    throw new ProviderError(
      "invalid",
      `'${resourceId}' is not a Compute Engine resource id (//compute.googleapis.com/projects/P/zones/Z/instances/N, …/disks/N, …/global/snapshots/N, …/regions/R/addresses/N)`,
    );
  }
  const [, project, zone, region, , kind, name] = m;
  const collection = COLLECTIONS[kind!]!;
  const ref: GcpRef = { project: project!, collection, name: decodeURIComponent(name!) };
  if (zone) ref.zone = zone;
  if (region) ref.region = region;
  const zonal = collection === "instances" || collection === "disks";
  if (zonal !== Boolean(zone) || (collection === "snapshots" && !m[4])) {
    throw new ProviderError(
      "invalid",
      `'${resourceId}': ${collection} live in ${zonal ? "a zone" : "a region or global"}`,
    );
  }
  return ref;
}

/** The scope path of a ref: zones/Z, regions/R or global. */
export const scopeOf = (ref: Pick<GcpRef, "zone" | "region">) =>
  ref.zone ? `zones/${ref.zone}` : ref.region ? `regions/${ref.region}` : "global";

/** The id cco records for a resource (the inventory's notation, by name). */
export const idOf = (ref: GcpRef) =>
  `//compute.googleapis.com/projects/${ref.project}/${scopeOf(ref)}/${ref.collection}/${ref.name}`;

/** A Compute URL (self link, user, targetLink) in cco's notation. */
export function idOfUrl(url: string): string {
  const m = /\/(projects\/.+)$/.exec(url);
  return m ? `//compute.googleapis.com/${m[1]}` : url;
}

export const regionOfZone = (zone: string) => zone.replace(/-[a-z]$/, "");

/** The last path segment of a Compute URL (…/machineTypes/n2-standard-4 → n2-standard-4). */
export const leaf = (url: string | null | undefined) => (url ? url.split("/").pop() : undefined);

/**
 * The requestId the Compute API deduplicates a retried mutation by: a UUID (version 5 layout,
 * SHA-1) derived from the step's idempotency token and the call within the step, so a re-sent
 * step sends the same ids and the API answers with the first call's operation.
 */
export function requestIdFor(token: string, call: string): string {
  const h = createHash("sha1").update(`cco:${token}:${call}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A valid Compute resource name (RFC 1035: [a-z]([-a-z0-9]{0,61}[a-z0-9])?) from free text. */
export function resourceName(text: string, suffix = ""): string {
  let base = text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^[^a-z]+/, "");
  base = base.slice(0, 63 - suffix.length).replace(/-+$/, "");
  return `${base || "cco"}${suffix}`;
}
