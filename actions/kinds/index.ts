/** The action kinds by name; KIND_FOR_DETECTOR (catalogue.ts) says which detector uses which. */
import type { AnyKind } from "./kind.ts";
import { bucketLifecycle } from "./bucket-lifecycle.ts";
import { changeDiskType } from "./change-disk-type.ts";
import { deleteSnapshot } from "./delete-snapshot.ts";
import { releaseAddress } from "./release-address.ts";
import { resizeVm } from "./resize-vm.ts";
import { scheduleVm } from "./schedule-vm.ts";
import { snapshotDeleteDisk } from "./snapshot-delete-disk.ts";
import { stopVm } from "./stop-vm.ts";

export const KINDS: Readonly<Record<string, AnyKind>> = Object.fromEntries(
  [
    stopVm,
    resizeVm,
    scheduleVm,
    changeDiskType,
    snapshotDeleteDisk,
    deleteSnapshot,
    releaseAddress,
    bucketLifecycle,
  ].map((k) => [k.name, k]),
);

export function kindNamed(name: string): AnyKind | undefined {
  return Object.hasOwn(KINDS, name) ? KINDS[name] : undefined;
}

export type { ActionKind, Expectation, QueueRow } from "./kind.ts";
