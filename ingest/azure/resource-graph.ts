/**
 * azureinventory://<subscription-id>: what exists in one subscription now, from Azure Resource
 * Graph (the `resources` table; @azure/arm-resourcegraph): virtual machines with their power state
 * where Resource Graph has the instance view, managed disks (diskState, managedBy), snapshots,
 * public IP addresses, and network interfaces to tell which VM an address is on. Written as one
 * snapshot of the subscription in the inventory layout (docs/ingest.md "Inventory files"), ids
 * lower case as the cost details' ResourceId compares. Pages by $skipToken.
 * Credentials: AZURE_ACCESS_TOKEN, else the SDK's default chain; endpoint: sources.azure.arm_endpoint.
 */
import path from "node:path";
import { InputError, UsageError } from "../../core/errors.ts";
import type { InventoryRow } from "../inventory/layout.ts";
import { snapshotNow, tagsJson, writeInventorySnapshot } from "../inventory/write.ts";
import type { RemoteSource } from "../remote/source.ts";
import { azureCredential } from "./credential.ts";

/** Rows a Resource Graph page holds at most. */
const PAGE_SIZE = 1000;

export const RESOURCE_GRAPH_QUERIES = {
  networkInterfaces: `resources
| where type =~ 'microsoft.network/networkinterfaces'
| project id, vm = tostring(properties.virtualMachine.id)
| order by id asc`,
  virtualMachines: `resources
| where type =~ 'microsoft.compute/virtualmachines'
| project id, location, tags, size = tostring(properties.hardwareProfile.vmSize),
    powerState = tostring(properties.extended.instanceView.powerState.code),
    timeCreated = tostring(properties.timeCreated), imageId = tostring(properties.storageProfile.imageReference.id)
| order by id asc`,
  disks: `resources
| where type =~ 'microsoft.compute/disks'
| project id, location, tags, managedBy, sku = tostring(sku.name), diskState = tostring(properties.diskState),
    diskSizeGB = toint(properties.diskSizeGB), timeCreated = tostring(properties.timeCreated),
    sourceResourceId = tostring(properties.creationData.sourceResourceId),
    imageId = tostring(properties.creationData.imageReference.id)
| order by id asc`,
  snapshots: `resources
| where type =~ 'microsoft.compute/snapshots'
| project id, location, tags, sku = tostring(sku.name), provisioningState = tostring(properties.provisioningState),
    diskSizeGB = toint(properties.diskSizeGB), timeCreated = tostring(properties.timeCreated),
    sourceResourceId = tostring(properties.creationData.sourceResourceId)
| order by id asc`,
  publicIpAddresses: `resources
| where type =~ 'microsoft.network/publicipaddresses'
| project id, location, tags, sku = tostring(sku.name), ipConfiguration = tostring(properties.ipConfiguration.id),
    natGateway = tostring(properties.natGateway.id)
| order by id asc`,
} as const;

type Row = Record<string, unknown>;

const text = (v: unknown) => (typeof v === "string" && v !== "" ? v : undefined);
const lower = (v: unknown) => text(v)?.toLowerCase();
const tags = (v: unknown) => tagsJson(v && typeof v === "object" ? (v as Record<string, string>) : undefined);

/** The resource an IP configuration belongs to: /…/networkInterfaces/nic/ipConfigurations/x is the NIC. */
const parentOf = (configuration: string) =>
  configuration.replace(/\/(ipconfigurations|frontendipconfigurations)\/[^/]+$/i, "").toLowerCase();

export const resourceGraphSource: RemoteSource = {
  forms: ["azureinventory://<subscription-id>"],
  description:
    "Azure Resource Graph inventory of a subscription (VMs, disks, snapshots, public IPs) into the inventory layout",
  matches: (uri) => uri.startsWith("azureinventory://"),
  async fetch(uri, { cacheDir, config, progress }) {
    const subscription = new URL(uri).host.toLowerCase();
    if (!subscription)
      throw new UsageError(`${uri}: name the subscription, e.g. azureinventory://<subscription-id>`);
    const { ResourceGraphClient } = await import("@azure/arm-resourcegraph");
    const client = new ResourceGraphClient(await azureCredential(), {
      baseUri: config.sources.azure.armEndpoint,
    });
    const query = async (kql: string): Promise<Row[]> => {
      const all: Row[] = [];
      let skipToken: string | undefined;
      do {
        const page = await client.resources({
          subscriptions: [subscription],
          query: kql,
          options: { top: PAGE_SIZE, resultFormat: "objectArray", ...(skipToken ? { skipToken } : {}) },
        });
        all.push(...((page.data as Row[] | undefined) ?? []));
        skipToken = page.skipToken;
      } while (skipToken);
      return all;
    };
    const at = snapshotNow();
    const rows: InventoryRow[] = [];
    const base = { provider: "azure", account_id: subscription, source: "resourcegraph" } as const;
    try {
      await progress.step(`Reading the Resource Graph inventory of ${subscription}`, async (tick) => {
        const vmOfNic = new Map<string, string>();
        for (const nic of await query(RESOURCE_GRAPH_QUERIES.networkInterfaces)) {
          const vm = lower(nic.vm);
          if (vm && text(nic.id)) vmOfNic.set(lower(nic.id)!, vm);
        }
        tick(1, 5);
        for (const vm of await query(RESOURCE_GRAPH_QUERIES.virtualMachines)) {
          rows.push({
            ...base,
            region: text(vm.location),
            resource_id: lower(vm.id),
            resource_type: "virtual_machine",
            // PowerState/running, PowerState/deallocated, …: the word after the slash.
            state: text(vm.powerState)
              ?.replace(/^PowerState\//i, "")
              .toLowerCase(),
            size: text(vm.size),
            created_at: text(vm.timeCreated),
            source_id: lower(vm.imageId),
            tags: tags(vm.tags),
          });
        }
        tick(2, 5);
        for (const disk of await query(RESOURCE_GRAPH_QUERIES.disks)) {
          rows.push({
            ...base,
            region: text(disk.location),
            resource_id: lower(disk.id),
            resource_type: "volume",
            state: lower(disk.diskState),
            attached_to: lower(disk.managedBy),
            size: text(disk.sku),
            size_gb: typeof disk.diskSizeGB === "number" ? disk.diskSizeGB : undefined,
            created_at: text(disk.timeCreated),
            source_id: lower(disk.sourceResourceId) ?? lower(disk.imageId),
            tags: tags(disk.tags),
          });
        }
        tick(3, 5);
        for (const snapshot of await query(RESOURCE_GRAPH_QUERIES.snapshots)) {
          rows.push({
            ...base,
            region: text(snapshot.location),
            resource_id: lower(snapshot.id),
            resource_type: "snapshot",
            state: lower(snapshot.provisioningState),
            size: text(snapshot.sku),
            size_gb: typeof snapshot.diskSizeGB === "number" ? snapshot.diskSizeGB : undefined,
            created_at: text(snapshot.timeCreated),
            source_id: lower(snapshot.sourceResourceId),
            tags: tags(snapshot.tags),
          });
        }
        tick(4, 5);
        for (const ip of await query(RESOURCE_GRAPH_QUERIES.publicIpAddresses)) {
          const configuration = text(ip.ipConfiguration);
          const parent = configuration ? parentOf(configuration) : undefined;
          // On a VM's network interface: the VM; else what holds it (a load balancer, a gateway, a NAT gateway).
          const attachedTo = parent ? (vmOfNic.get(parent) ?? parent) : lower(ip.natGateway);
          rows.push({
            ...base,
            region: text(ip.location),
            resource_id: lower(ip.id),
            resource_type: "public_ip",
            state: attachedTo ? "associated" : "unassociated",
            attached_to: attachedTo,
            size: text(ip.sku),
            tags: tags(ip.tags),
          });
        }
        tick(5, 5);
      });
    } catch (error) {
      throw new InputError(
        uri,
        `cannot read Azure Resource Graph: ${(error as Error).message.split("\n")[0]}`,
      );
    }
    return writeInventorySnapshot(
      path.join(cacheDir, "azureinventory", subscription),
      "resourcegraph",
      at,
      rows.map((r) => ({ ...r, snapshot_time: at })),
    );
  },
};
