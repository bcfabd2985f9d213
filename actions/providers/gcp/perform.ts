/**
 * Each Operation as Compute Engine calls, every mutation waited for until its operation is DONE,
 * every one carrying a requestId derived from the step's idempotency token (and the call within
 * the step), so a re-sent step is answered with the first call's operation instead of applying
 * twice. Outputs as the sandbox gives them: snapshot_disk → {snapshotId}, restore_disk → {resourceId}.
 */
import { type Operation as Op, type OperationResult, ProviderError } from "../adapter.ts";
import { type Caller, NO_RETRY, type Operation } from "./client.ts";
import { getAddress, getDisk, getInstance, getSnapshot, labelsOf } from "./describe.ts";
import { type GcpRef, idOf, idOfUrl, leaf, parseRef, requestIdFor, resourceName } from "./ids.ts";
import { labelKey, toLabel } from "./labels.ts";

const NEEDS: Partial<Record<Op["op"], GcpRef["collection"]>> = {
  stop_vm: "instances",
  start_vm: "instances",
  resize_vm: "instances",
  snapshot_disk: "disks",
  delete_disk: "disks",
  restore_disk: "disks",
  change_disk_type: "disks",
  delete_snapshot: "snapshots",
  release_address: "addresses",
};

/** A VM status from which a disk may be detached and a machine type set: nothing runs. */
const HALTED = new Set(["TERMINATED", "STOPPED", "SUSPENDED"]);

/** What snapshot_disk writes in the snapshot's description, so the undo can put the disk back as it was. */
interface Restore {
  disk: string;
  type?: string;
  instance?: string;
  device?: string;
  boot?: boolean;
}

export function checkTarget(operation: Op, ref: GcpRef): void {
  const need = NEEDS[operation.op];
  if (need && need !== ref.collection)
    throw new ProviderError(
      "invalid",
      `${operation.op} applies to ${need}; the resource is one of ${ref.collection}`,
    );
  if (operation.op === "put_lifecycle_rule" || operation.op === "delete_lifecycle_rule")
    throw new ProviderError(
      "invalid",
      `${operation.op} is an S3 (AWS) operation; GCS lifecycle rules are not automated`,
    );
  if (operation.op === "change_disk_type")
    throw new ProviderError(
      "invalid",
      "Compute Engine cannot change a persistent disk's type in place (a new disk from a snapshot is needed, with a new id and a stop of its VM to swap it): change_disk_type is not offered on GCP",
    );
}

export async function perform(
  c: Caller,
  resourceId: string,
  operation: Op,
  token: string,
): Promise<OperationResult> {
  const ref = parseRef(resourceId);
  checkTarget(operation, ref);
  const rid = (call: string) => requestIdFor(token, call);
  const { project, zone } = ref;
  const done = (op: Operation, output?: Record<string, string>): OperationResult => ({
    requestId: op.name ?? rid(operation.op),
    ...(output ? { output } : {}),
  });
  const instance = ref.name;
  switch (operation.op) {
    case "stop_vm":
      return done(
        await c.mutate("instances.stop", ref, rid("stop"), (k) =>
          k.instances.stop({ project, zone, instance, requestId: rid("stop") }, NO_RETRY),
        ),
      );
    case "start_vm":
      return done(
        await c.mutate("instances.start", ref, rid("start"), (k) =>
          k.instances.start({ project, zone, instance, requestId: rid("start") }, NO_RETRY),
        ),
      );
    case "resize_vm":
      return done(
        await c.mutate("instances.setMachineType", ref, rid("setMachineType"), (k) =>
          k.instances.setMachineType(
            {
              project,
              zone,
              instance,
              requestId: rid("setMachineType"),
              instancesSetMachineTypeRequestResource: {
                machineType: `zones/${zone}/machineTypes/${operation.size}`,
              },
            },
            NO_RETRY,
          ),
        ),
      );
    case "snapshot_disk":
      return snapshotDisk(c, ref, operation.snapshotName, rid);
    case "delete_disk":
      return deleteDisk(c, ref, rid);
    case "restore_disk":
      return restoreDisk(c, ref, operation, rid);
    case "delete_snapshot":
      return done(
        await c.mutate("snapshots.delete", ref, rid("delete"), (k) =>
          k.snapshots.delete({ project, snapshot: ref.name, requestId: rid("delete") }, NO_RETRY),
        ),
      );
    case "release_address": {
      const address = await getAddress(c, ref);
      if (String(address.status) === "IN_USE" || address.users?.length)
        throw new ProviderError(
          "conflict",
          `address ${address.address ?? ref.name} is in use by ${(address.users ?? []).map(idOfUrl).join(", ") || "a resource"}; release it only when unused`,
        );
      const requestId = rid("delete");
      return done(
        ref.region
          ? await c.mutate("addresses.delete", ref, requestId, (k) =>
              k.addresses.delete({ project, region: ref.region, address: ref.name, requestId }, NO_RETRY),
            )
          : await c.mutate("globalAddresses.delete", ref, requestId, (k) =>
              k.globalAddresses.delete({ project, address: ref.name, requestId }, NO_RETRY),
            ),
      );
    }
    case "set_tags":
    case "remove_tags":
      return setLabels(c, ref, operation, rid);
    case "change_disk_type":
    case "put_lifecycle_rule":
    case "delete_lifecycle_rule":
      throw new Error("unreachable: refused by checkTarget");
  }
}

async function snapshotDisk(
  c: Caller,
  ref: GcpRef,
  snapshotName: string,
  rid: (call: string) => string,
): Promise<OperationResult> {
  const disk = await getDisk(c, ref);
  const restore: Restore = { disk: disk.name ?? ref.name, type: leaf(disk.type) };
  // The device name and boot flag live on the instance: the undo attaches the disk back under them.
  const user = disk.users?.[0];
  if (user) {
    const vmRef = parseRef(user);
    const vm = await getInstance(c, vmRef);
    const attached = (vm.disks ?? []).find((d) => leaf(d.source) === disk.name);
    Object.assign(restore, {
      instance: idOfUrl(user),
      ...(attached?.deviceName ? { device: attached.deviceName } : {}),
      ...(attached?.boot ? { boot: true } : {}),
    });
  }
  const name = resourceName(snapshotName);
  const requestId = rid("createSnapshot");
  const op = await c.mutate("disks.createSnapshot", ref, requestId, (k) =>
    k.disks.createSnapshot(
      {
        project: ref.project,
        zone: ref.zone,
        disk: ref.name,
        requestId,
        snapshotResource: {
          name,
          description: `cco: ${JSON.stringify(restore)}`,
          ...(disk.labels && Object.keys(disk.labels).length ? { labels: disk.labels } : {}),
        },
      },
      NO_RETRY,
    ),
  );
  const snapshotId = idOf({ project: ref.project, collection: "snapshots", name });
  return { requestId: op.name ?? requestId, output: { snapshotId } };
}

async function deleteDisk(c: Caller, ref: GcpRef, rid: (call: string) => string): Promise<OperationResult> {
  const disk = await getDisk(c, ref);
  // Compute refuses to delete an attached disk: detach it from its (stopped) VM first. The
  // requestIds name the instance's fingerprint (it changes with every attach and detach), so a
  // retry after a re-attach detaches again while a re-sent detach is still deduplicated.
  const detached: { vmRef: GcpRef; disk: Record<string, unknown>; requestId: string }[] = [];
  for (const user of disk.users ?? []) {
    const vmRef = parseRef(user);
    const vm = await getInstance(c, vmRef);
    if (!HALTED.has(String(vm.status)))
      throw new ProviderError(
        "conflict",
        `disk ${ref.name} is attached to instance ${vm.name}, which is ${vm.status}; stop the instance before deleting the disk`,
      );
    const attached = (vm.disks ?? []).find((d) => leaf(d.source) === disk.name);
    if (!attached?.deviceName) continue;
    const requestId = rid(`detachDisk:${vm.name}:${vm.fingerprint ?? ""}`);
    await c.mutate("instances.detachDisk", vmRef, requestId, (k) =>
      k.instances.detachDisk(
        {
          project: vmRef.project,
          zone: vmRef.zone,
          instance: vmRef.name,
          deviceName: attached.deviceName,
          requestId,
        },
        NO_RETRY,
      ),
    );
    const { source, deviceName, boot, mode, autoDelete } = attached;
    detached.push({ vmRef, disk: { source, deviceName, boot, mode, autoDelete }, requestId });
  }
  const requestId = rid("delete");
  try {
    const op = await c.mutate("disks.delete", ref, requestId, (k) =>
      k.disks.delete({ project: ref.project, zone: ref.zone, disk: ref.name, requestId }, NO_RETRY),
    );
    return { requestId: op.name ?? requestId };
  } catch (error) {
    // Refused (or failed): put the disk back where it was, so the step changed nothing. A timeout
    // may have deleted it: the executor reads the disk to settle that.
    if (!(error instanceof ProviderError) || error.code === "timeout") throw error;
    for (const d of detached)
      await c.mutate("instances.attachDisk", d.vmRef, rid(`reattach:${d.requestId}`), (k) =>
        k.instances.attachDisk(
          {
            project: d.vmRef.project,
            zone: d.vmRef.zone,
            instance: d.vmRef.name,
            requestId: rid(`reattach:${d.requestId}`),
            attachedDiskResource: d.disk,
          },
          NO_RETRY,
        ),
      );
    throw error;
  }
}

function restoreOf(description: string | null | undefined): Partial<Restore> {
  const m = /^cco: (\{.*\})$/s.exec(description ?? "");
  try {
    return m ? (JSON.parse(m[1]!) as Restore) : {};
  } catch {
    return {};
  }
}

async function restoreDisk(
  c: Caller,
  ref: GcpRef,
  operation: Extract<Op, { op: "restore_disk" }>,
  rid: (call: string) => string,
): Promise<OperationResult> {
  const snapRef = parseRef(operation.snapshotId);
  const snapshot = await getSnapshot(c, snapRef);
  const meta = restoreOf(snapshot.description);
  const type = operation.size ?? meta.type;
  // A new name: the old one may be taken again meanwhile; fixed by the token, so a re-send is the same disk.
  const name = resourceName(meta.disk ?? ref.name, `-r${rid("insert").slice(0, 6)}`);
  const requestId = rid("insert");
  await c.mutate("disks.insert", ref, requestId, (k) =>
    k.disks.insert(
      {
        project: ref.project,
        zone: ref.zone,
        requestId,
        diskResource: {
          name,
          sourceSnapshot: `projects/${snapRef.project}/global/snapshots/${snapRef.name}`,
          ...(type ? { type: `projects/${ref.project}/zones/${ref.zone}/diskTypes/${type}` } : {}),
          ...(snapshot.labels && Object.keys(snapshot.labels).length ? { labels: snapshot.labels } : {}),
        },
      },
      NO_RETRY,
    ),
  );
  const restored: GcpRef = { project: ref.project, zone: ref.zone!, collection: "disks", name };
  let last = requestId;
  if (operation.attachTo) {
    const vmRef = parseRef(operation.attachTo);
    last = rid("attachDisk");
    await c.mutate("instances.attachDisk", vmRef, last, (k) =>
      k.instances.attachDisk(
        {
          project: vmRef.project,
          zone: vmRef.zone,
          instance: vmRef.name,
          requestId: last,
          attachedDiskResource: {
            source: `projects/${ref.project}/zones/${ref.zone}/disks/${name}`,
            ...(meta.device ? { deviceName: meta.device } : {}),
            ...(meta.boot ? { boot: true } : {}),
            mode: "READ_WRITE",
            autoDelete: false,
          },
        },
        NO_RETRY,
      ),
    );
  }
  return { requestId: last, output: { resourceId: idOf(restored) } };
}

async function setLabels(
  c: Caller,
  ref: GcpRef,
  operation: Extract<Op, { op: "set_tags" | "remove_tags" }>,
  rid: (call: string) => string,
): Promise<OperationResult> {
  const { labels, fingerprint } = await labelsOf(c, ref);
  const next = { ...labels };
  if (operation.op === "set_tags")
    for (const [k, v] of Object.entries(operation.tags)) {
      const [key, value] = toLabel(k, v);
      next[key] = value;
    }
  else for (const k of operation.keys) delete next[labelKey(k)];
  if (Object.keys(next).length > 64)
    throw new ProviderError("invalid", `${ref.name} would carry more than 64 labels`);
  const requestId = rid("setLabels");
  const same = JSON.stringify(Object.entries(next).sort()) === JSON.stringify(Object.entries(labels).sort());
  if (same) return { requestId };
  const { project } = ref;
  const body = { labels: next, labelFingerprint: fingerprint };
  const op = await (ref.collection === "instances"
    ? c.mutate("instances.setLabels", ref, requestId, (k) =>
        k.instances.setLabels(
          { project, zone: ref.zone, instance: ref.name, requestId, instancesSetLabelsRequestResource: body },
          NO_RETRY,
        ),
      )
    : ref.collection === "disks"
      ? c.mutate("disks.setLabels", ref, requestId, (k) =>
          k.disks.setLabels(
            { project, zone: ref.zone, resource: ref.name, requestId, zoneSetLabelsRequestResource: body },
            NO_RETRY,
          ),
        )
      : ref.collection === "snapshots"
        ? c.mutate("snapshots.setLabels", ref, requestId, (k) =>
            k.snapshots.setLabels(
              { project, resource: ref.name, globalSetLabelsRequestResource: body },
              NO_RETRY,
            ),
          )
        : ref.region
          ? c.mutate("addresses.setLabels", ref, requestId, (k) =>
              k.addresses.setLabels(
                {
                  project,
                  region: ref.region,
                  resource: ref.name,
                  requestId,
                  regionSetLabelsRequestResource: body,
                },
                NO_RETRY,
              ),
            )
          : c.mutate("globalAddresses.setLabels", ref, requestId, (k) =>
              k.globalAddresses.setLabels(
                { project, resource: ref.name, globalSetLabelsRequestResource: body },
                NO_RETRY,
              ),
            ));
  return { requestId: op.name ?? requestId };
}
