/**
 * What each recommended action is like to carry out, as the risk assessment needs it: how it
 * touches the running service, how it is undone, how much work it is, and what makes it safer.
 * Declared once per action (the detectors' `action` column), as Cloud Custodian declares its
 * actions; an action missing here is a programming error the tests catch.
 */

/** How the change reaches a running service. */
export type Disruption = "none" | "online" | "restart" | "stop" | "interruptible";

export interface ActionProfile {
  disruption: Disruption;
  /** 0-100: how hard the change is to undo, and why. */
  rollback: { score: number; evidence: string };
  effort: "easy" | "medium" | "hard";
  /** Always advised for this action. */
  mitigations: string[];
}

export const ACTION_PROFILES: Record<string, ActionProfile> = {
  stop_instance: {
    disruption: "stop",
    rollback: { score: 15, evidence: "A stopped VM starts again as it was; its disks are kept." },
    effort: "easy",
    mitigations: [
      "Tell the owner, then stop (not terminate) the VM and keep it stopped for 14 days before deleting it.",
    ],
  },
  resize_instance: {
    disruption: "restart",
    rollback: { score: 20, evidence: "Resizing back is the same stop-resize-start." },
    effort: "medium",
    mitigations: [
      "Resize in a maintenance window.",
      "Watch CPU and memory for 7 days after; resize back on sustained saturation.",
    ],
  },
  change_instance_family: {
    disruption: "restart",
    rollback: {
      score: 30,
      evidence:
        "Moving back is a resize, but the new generation may need newer drivers (ENA, NVMe) in the image.",
    },
    effort: "medium",
    mitigations: [
      "Check the image supports the new generation (ENA and NVMe drivers).",
      "Change it in a maintenance window.",
    ],
  },
  schedule_instance: {
    disruption: "stop",
    rollback: { score: 10, evidence: "Removing the schedule leaves the VM running as before." },
    effort: "medium",
    mitigations: ["Agree the hours with the owning team and give them an override tag."],
  },
  use_spot: {
    disruption: "interruptible",
    rollback: {
      score: 35,
      evidence: "Back to on-demand is a launch-template or VM change; interrupted work must be retried.",
    },
    effort: "hard",
    mitigations: ["Keep an on-demand base capacity and spread over several instance types and zones."],
  },
  modify_volume_type: {
    disruption: "online",
    rollback: {
      score: 25,
      evidence: "The volume can be modified back, but only after the 6-hour modification cooldown.",
    },
    effort: "easy",
    mitigations: ["Check the volume's peak IOPS and throughput fit gp3's included 3,000 IOPS and 125 MiB/s."],
  },
  delete_snapshot: {
    disruption: "none",
    rollback: { score: 90, evidence: "A deleted snapshot cannot be recovered." },
    effort: "easy",
    mitigations: [
      "Confirm no retention policy or image (AMI) needs the snapshot; archive it instead if unsure.",
    ],
  },
  delete_volume: {
    disruption: "none",
    rollback: { score: 50, evidence: "Deleting is final, but a snapshot taken first restores the volume." },
    effort: "easy",
    mitigations: ["Snapshot the volume before deleting it."],
  },
  snapshot_and_delete_volume: {
    disruption: "none",
    rollback: {
      score: 45,
      evidence: "The snapshot taken first restores the volume; the VM needs it re-attached to start.",
    },
    effort: "easy",
    mitigations: [
      "Snapshot the volume before deleting it.",
      "Confirm with the owner the stopped VM will not be restarted.",
    ],
  },
  release_address: {
    disruption: "none",
    rollback: {
      score: 70,
      evidence: "A released address is returned to the pool; the same address cannot be had again.",
    },
    effort: "easy",
    mitigations: ["Check no DNS record or allow-list still points at the address."],
  },
  add_lifecycle_rule: {
    disruption: "none",
    rollback: {
      score: 30,
      evidence:
        "Deleting the rule stops further transitions; objects already in Standard-IA stay there (30-day minimum) until copied back.",
    },
    effort: "easy",
    mitigations: [
      "Check with the owner that objects older than 30 days are rarely read (S3 Storage Lens or storage class analysis).",
      "Objects under 128 KB bill as 128 KB in Standard-IA: filter them out of the rule where many are small.",
    ],
  },
  purchase_commitment: {
    disruption: "none",
    rollback: {
      score: 90,
      evidence: "A commitment cannot be cancelled for its term (some may be exchanged or resold).",
    },
    effort: "medium",
    mitigations: ["Buy in tranches: half the baseline now, the rest after a month of steady usage."],
  },
  review_commitment: {
    disruption: "none",
    rollback: { score: 10, evidence: "A review changes nothing by itself." },
    effort: "hard",
    mitigations: ["Move eligible workloads onto the commitment, or exchange it where the provider allows."],
  },
};
