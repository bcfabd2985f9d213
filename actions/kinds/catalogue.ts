/**
 * Which action kind carries out each detector's recommendation, and whether the kind has a step
 * no undo restores (then the approval must acknowledge it). Detectors missing here are not
 * automated (commitment purchases, spot moves): their rows are decided in the sheet and done by
 * hand. The kinds themselves (schema, permissions, start states, steps, check, undo) are in
 * this folder, one file each.
 */
export const KIND_FOR_DETECTOR: Readonly<Record<string, { kind: string; irreversible: boolean }>> = {
  idle_vm: { kind: "stop_vm", irreversible: false },
  rightsizing: { kind: "resize_vm", irreversible: false },
  previous_generation: { kind: "resize_vm", irreversible: false },
  schedule: { kind: "schedule_vm", irreversible: false },
  gp2_volume: { kind: "change_disk_type", irreversible: false },
  unattached_volume: { kind: "snapshot_delete_disk", irreversible: false },
  stopped_vm_volume: { kind: "snapshot_delete_disk", irreversible: false },
  old_snapshot: { kind: "delete_snapshot", irreversible: true },
  idle_address: { kind: "release_address", irreversible: true },
  // AWS only: the kind declares no Azure or GCP permissions, and the queue automates a provider's
  // row only where its kind declares some (actions/approvals/queue.ts).
  bucket_lifecycle: { kind: "bucket_lifecycle", irreversible: false },
};
