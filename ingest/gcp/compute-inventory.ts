/**
 * gcpinventory://<project>: what exists in one project's Compute Engine now, from the Compute
 * API's aggregated lists of instances, disks and addresses (external ones) and the global list of
 * snapshots (@google-cloud/compute, REST transport), written as one snapshot of the project in
 * the inventory layout (docs/ingest.md "Inventory files").
 *
 * Ids as the detailed billing export's resource.global_name has them: the project by number and
 * the resource by its numeric id (//compute.googleapis.com/projects/441570621172/zones/
 * europe-west4-a/disk/5731447681477044785, as a real export row has it; instances/<id> likewise).
 * The number comes from projects.get (the Compute default service account is <number>-compute@…).
 * marts.resources matches Compute Engine resources by that numeric id, so a spelling of the path
 * that differs still joins. What a disk or address is attached to, and what a disk or snapshot was
 * made from, are said in the same notation where the API names them.
 * Credentials: GOOGLE_OAUTH_ACCESS_TOKEN when set, else Application Default Credentials;
 * endpoint: sources.compute.api_endpoint.
 */
import path from "node:path";
import type { InstancesClient } from "@google-cloud/compute";
import { InputError, UsageError } from "../../core/errors.ts";
import type { InventoryRow } from "../inventory/layout.ts";
import { snapshotNow, writeInventorySnapshot } from "../inventory/write.ts";
import type { RemoteSource } from "../remote/source.ts";

const PAGE_SIZE = 500;
/** The async iterators fetch page after page themselves; saying so keeps gax from warning. */
const PAGED = { autoPaginate: false };

/** Client options for every Compute client: REST, the endpoint override, the token when given. */
type ClientOptions = NonNullable<ConstructorParameters<typeof InstancesClient>[0]>;

async function clientOptions(apiEndpoint: string | undefined): Promise<ClientOptions> {
  const { gcpClientOptions } = await import("../../core/gcp-client.ts");
  return (await gcpClientOptions(apiEndpoint)) as ClientOptions;
}

const str = (v: unknown) => (v === null || v === undefined || v === "" ? undefined : String(v));
/** The last path segment of a Compute URL (machineTypes/n2-standard-4 → n2-standard-4). */
const leaf = (url: unknown) => str(url)?.split("/").pop();
/** zones/us-central1-a or regions/us-central1 from a Compute URL or an aggregated list's key. */
const location = (url: unknown) => /(zones|regions)\/[^/]+/.exec(str(url) ?? "")?.[0];
const regionOf = (loc: string | undefined) =>
  loc?.startsWith("zones/") ? loc.slice(6).replace(/-[a-z]$/, "") : loc?.replace(/^regions\//, "");
/** A Compute URL as a resource name (https://www.googleapis.com/compute/v1/projects/… → //compute.googleapis.com/projects/…). */
const nameOf = (url: string) => {
  const m = /\/(projects\/.+)$/.exec(url);
  return m ? `//compute.googleapis.com/${m[1]}` : url;
};
const labels = (v: unknown) =>
  JSON.stringify(
    Object.fromEntries(
      Object.entries((v as Record<string, string> | null | undefined) ?? {}).sort(([a], [b]) =>
        a.localeCompare(b),
      ),
    ),
  );

export const computeInventorySource: RemoteSource = {
  forms: ["gcpinventory://<project>"],
  description:
    "Google Compute Engine inventory of a project (instances, disks, snapshots, addresses) into the inventory layout",
  matches: (uri) => uri.startsWith("gcpinventory://"),
  async fetch(uri, { cacheDir, config, progress }) {
    const project = new URL(uri).host;
    if (!project) throw new UsageError(`${uri}: name the project, e.g. gcpinventory://my-project`);
    const compute = await import("@google-cloud/compute");
    const options = await clientOptions(config.sources.compute.apiEndpoint);
    const clients = {
      projects: new compute.ProjectsClient(options),
      instances: new compute.InstancesClient(options),
      disks: new compute.DisksClient(options),
      snapshots: new compute.SnapshotsClient(options),
      addresses: new compute.AddressesClient(options),
    };
    const at = snapshotNow();
    const rows: InventoryRow[] = [];
    const base = { provider: "gcp", account_id: project, source: "computeapi" } as const;
    const list = { project, maxResults: PAGE_SIZE, returnPartialSuccess: true };
    try {
      await progress.step(`Reading the Compute Engine inventory of ${project}`, async (tick) => {
        // The billing export names the project by number; without the right to read it, by id.
        const info = await clients.projects
          .get({ project })
          .then(([p]) => p)
          .catch(() => undefined);
        const number =
          /^(\d+)-compute@/.exec(info?.defaultServiceAccount ?? "")?.[1] ?? str(info?.id) ?? project;
        const id = (loc: string, kind: string, resourceId: unknown) =>
          `//compute.googleapis.com/projects/${number}/${loc}/${kind}/${str(resourceId)}`;
        tick(1, 5);
        // Instances by URL (as disks and addresses name their users), to say them by id.
        const instanceIds = new Map<string, string>();
        const bootDisks = new Map<string, InventoryRow>();
        for await (const [scope, scoped] of clients.instances.aggregatedListAsync(list, PAGED)) {
          for (const instance of scoped.instances ?? []) {
            const loc = location(instance.zone) ?? scope;
            const resourceId = id(loc, "instances", instance.id);
            instanceIds.set(
              nameOf(str(instance.selfLink) ?? `projects/${project}/${loc}/instances/${instance.name}`),
              resourceId,
            );
            const row: InventoryRow = {
              ...base,
              region: regionOf(loc),
              resource_id: resourceId,
              resource_type: "virtual_machine",
              state: str(instance.status)?.toLowerCase(),
              size: leaf(instance.machineType),
              created_at: str(instance.creationTimestamp),
              tags: labels(instance.labels),
            };
            rows.push(row);
            const boot = (instance.disks ?? []).find((d) => d.boot)?.source;
            if (boot) bootDisks.set(nameOf(boot), row);
          }
        }
        tick(2, 5);
        const attachedTo = (users: string[] | null | undefined) => {
          const user = users?.[0];
          return user ? (instanceIds.get(nameOf(user)) ?? nameOf(user)) : undefined;
        };
        for await (const [scope, scoped] of clients.disks.aggregatedListAsync(list, PAGED)) {
          for (const disk of scoped.disks ?? []) {
            const loc = location(disk.zone ?? disk.region) ?? scope;
            const sourceImage = disk.sourceImage
              ? `//compute.googleapis.com/${/projects\/[^/]+/.exec(disk.sourceImage)?.[0]}/global/images/${str(disk.sourceImageId) ?? leaf(disk.sourceImage)}`
              : undefined;
            rows.push({
              ...base,
              region: regionOf(loc),
              resource_id: id(loc, "disk", disk.id),
              resource_type: "volume",
              state: str(disk.status)?.toLowerCase(),
              attached_to: attachedTo(disk.users),
              size: leaf(disk.type),
              size_gb: str(disk.sizeGb),
              created_at: str(disk.creationTimestamp),
              source_id: disk.sourceSnapshotId
                ? id("global", "snapshots", disk.sourceSnapshotId)
                : sourceImage,
              tags: labels(disk.labels),
            });
            // A VM was made from its boot disk's image.
            const vm = disk.selfLink ? bootDisks.get(nameOf(disk.selfLink)) : undefined;
            if (vm && sourceImage) vm.source_id = sourceImage;
          }
        }
        tick(3, 5);
        for await (const snapshot of clients.snapshots.listAsync({ project, maxResults: PAGE_SIZE }, PAGED)) {
          const sourceLoc = location(snapshot.sourceDisk);
          rows.push({
            ...base,
            region: snapshot.storageLocations?.[0] ?? undefined,
            resource_id: id("global", "snapshots", snapshot.id),
            resource_type: "snapshot",
            state: str(snapshot.status)?.toLowerCase(),
            size: str(snapshot.snapshotType),
            size_gb: str(snapshot.diskSizeGb),
            created_at: str(snapshot.creationTimestamp),
            source_id:
              snapshot.sourceDiskId && sourceLoc ? id(sourceLoc, "disk", snapshot.sourceDiskId) : undefined,
            tags: labels(snapshot.labels),
          });
        }
        tick(4, 5);
        // Internal addresses cost nothing; static external ones are billed, used or not.
        for await (const [scope, scoped] of clients.addresses.aggregatedListAsync(
          {
            ...list,
            filter: 'addressType = "EXTERNAL"',
          },
          PAGED,
        )) {
          for (const address of scoped.addresses ?? []) {
            const loc = location(address.region) ?? (scope === "global" ? "global" : scope);
            rows.push({
              ...base,
              region: regionOf(loc === "global" ? undefined : loc),
              resource_id: id(loc, "addresses", address.id),
              resource_type: "public_ip",
              state: str(address.status)?.toLowerCase(),
              attached_to: attachedTo(address.users),
              size: str(address.networkTier),
              created_at: str(address.creationTimestamp),
              tags: labels(address.labels),
            });
          }
        }
        tick(5, 5);
      });
    } catch (error) {
      if (error instanceof UsageError) throw error;
      throw new InputError(
        uri,
        `cannot read the Compute Engine inventory: ${(error as Error).message.split("\n")[0]}`,
      );
    } finally {
      await Promise.all(Object.values(clients).map((c) => c.close().catch(() => undefined)));
    }
    return writeInventorySnapshot(
      path.join(cacheDir, "gcpinventory", project),
      "computeapi",
      at,
      rows.map((r) => ({ ...r, snapshot_time: at })),
    );
  },
};
