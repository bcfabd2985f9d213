/**
 * The EC2 estate the replay server holds, and what each EC2 Query action does to it, with EC2's
 * rules and documented error codes (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html)
 * and response elements (each action's page under
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_<Action>.html). State changes are
 * asynchronous as in EC2: a stop leaves the instance `stopping`, then `stopped` settleMs later.
 */

export interface Tagged {
  tags: Record<string, string>;
}
export interface Instance extends Tagged {
  id: string;
  state: string;
  type: string;
  az: string;
  owner: string;
}
export interface Attachment {
  instanceId: string;
  device: string;
  state: "attaching" | "attached" | "detaching";
}
export interface Modification {
  state: "modifying" | "optimizing" | "completed" | "failed";
  originalType: string;
  targetType: string;
  size: number;
  startTime: string;
}
export interface Volume extends Tagged {
  id: string;
  state: string;
  type: string;
  size: number;
  az: string;
  snapshotId?: string;
  attachments: Attachment[];
  modifications: Modification[];
  createTime: string;
}
export interface Snapshot extends Tagged {
  id: string;
  volumeId: string;
  state: string;
  size: number;
  owner: string;
  description: string;
  startTime: string;
}
export interface Address extends Tagged {
  allocationId: string;
  publicIp: string;
  associationId?: string;
  instanceId?: string;
}

export interface Seed {
  instances?: (Partial<Instance> & { id: string })[];
  volumes?: (Partial<Volume> & { id: string })[];
  snapshots?: (Partial<Snapshot> & { id: string })[];
  addresses?: (Partial<Address> & { publicIp: string; allocationId: string })[];
}

/** An EC2 error: its documented code, message and HTTP status (4xx client, 5xx server). */
export class Ec2Error extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

type Params = Record<string, string>;
export type Handler = (params: Params) => { body: Record<string, unknown>; applied: boolean };

const STATE_CODE: Record<string, number> = {
  pending: 0,
  running: 16,
  "shutting-down": 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};

/** Values of prefix.1, prefix.2, … (EC2 Query's lists). */
export function list(params: Params, prefix: string): string[] {
  const out: string[] = [];
  for (let i = 1; params[`${prefix}.${i}`] !== undefined; i++) out.push(params[`${prefix}.${i}`]!);
  return out;
}

/** prefix.N.Key / prefix.N.Value pairs. */
export function tagList(params: Params, prefix: string): { key: string; value?: string }[] {
  const out: { key: string; value?: string }[] = [];
  for (let i = 1; params[`${prefix}.${i}.Key`] !== undefined; i++)
    out.push({ key: params[`${prefix}.${i}.Key`]!, value: params[`${prefix}.${i}.Value`] });
  return out;
}

/** The tags a TagSpecification gives a resource of `type` on create. */
export function specTags(params: Params, type: string): Record<string, string> {
  const tags: Record<string, string> = {};
  for (let i = 1; params[`TagSpecification.${i}.ResourceType`] !== undefined; i++) {
    if (params[`TagSpecification.${i}.ResourceType`] !== type) continue;
    for (const t of tagList(params, `TagSpecification.${i}.Tag`)) tags[t.key] = t.value ?? "";
  }
  return tags;
}

const VOLUME_TYPES = ["standard", "io1", "io2", "gp2", "gp3", "sc1", "st1"];
const tagSet = (tags: Record<string, string>) => Object.entries(tags).map(([key, value]) => ({ key, value }));
const iso = (ms = Date.now()) => new Date(ms).toISOString();

export class Ec2Estate {
  instances = new Map<string, Instance>();
  volumes = new Map<string, Volume>();
  snapshots = new Map<string, Snapshot>();
  addresses = new Map<string, Address>();
  /** CreateVolume's ClientTokens: the first request's parameters and answer. */
  tokens = new Map<string, { params: string; body: Record<string, unknown> }>();
  /** StartInstances at these instance types fails with InsufficientInstanceCapacity. */
  capacityTypes = new Set<string>();
  private pending: { at: number; apply: () => void }[] = [];
  private n = 0;

  constructor(
    public settleMs = 20,
    readonly owner = "111122223333",
  ) {}

  seed(seed: Seed): void {
    for (const i of seed.instances ?? [])
      this.instances.set(i.id, {
        state: "running",
        type: "m5.xlarge",
        az: "us-east-1a",
        owner: this.owner,
        tags: {},
        ...i,
      });
    for (const v of seed.volumes ?? [])
      this.volumes.set(v.id, {
        state: v.attachments?.length ? "in-use" : "available",
        type: "gp2",
        size: 100,
        az: "us-east-1a",
        attachments: [],
        modifications: [],
        createTime: iso(),
        tags: {},
        ...v,
      });
    for (const s of seed.snapshots ?? [])
      this.snapshots.set(s.id, {
        volumeId: "vol-ffffffff",
        state: "completed",
        size: 100,
        owner: this.owner,
        description: "",
        startTime: iso(),
        tags: {},
        ...s,
      });
    for (const a of seed.addresses ?? []) this.addresses.set(a.allocationId, { tags: {}, ...a });
  }

  /** Changes whose time has come (a stopping instance is now stopped, …). */
  settle(): void {
    const now = Date.now();
    const due = this.pending.filter((p) => p.at <= now);
    this.pending = this.pending.filter((p) => p.at > now);
    for (const p of due) p.apply();
  }

  /** Finish every change under way now (a test that does not want to wait). */
  settleAll(): void {
    while (this.pending.length) {
      const all = this.pending;
      this.pending = [];
      for (const p of all) p.apply();
    }
  }

  private later(apply: () => void, factor = 1): void {
    this.pending.push({ at: Date.now() + this.settleMs * factor, apply });
  }

  private id(prefix: string): string {
    return `${prefix}-0${(++this.n).toString(16).padStart(16, "0")}`;
  }

  instance(id: string): Instance {
    const i = this.instances.get(id);
    if (!i) throw new Ec2Error("InvalidInstanceID.NotFound", `The instance ID '${id}' does not exist`);
    return i;
  }
  volume(id: string): Volume {
    const v = this.volumes.get(id);
    if (!v) throw new Ec2Error("InvalidVolume.NotFound", `The volume '${id}' does not exist.`);
    return v;
  }
  snapshot(id: string): Snapshot {
    const s = this.snapshots.get(id);
    if (!s) throw new Ec2Error("InvalidSnapshot.NotFound", `The snapshot '${id}' does not exist.`);
    return s;
  }
  address(allocationId: string): Address {
    const a = this.addresses.get(allocationId);
    if (!a)
      throw new Ec2Error(
        "InvalidAllocationID.NotFound",
        `The allocation ID '${allocationId}' does not exist`,
      );
    return a;
  }
  /** Any taggable resource by id. */
  tagged(id: string): Tagged {
    const r =
      this.instances.get(id) ?? this.volumes.get(id) ?? this.snapshots.get(id) ?? this.addresses.get(id);
    if (!r) throw new Ec2Error("InvalidID", `The ID '${id}' is not valid`);
    return r;
  }

  private instanceXml(i: Instance) {
    const volumes = [...this.volumes.values()].filter((v) =>
      v.attachments.some((a) => a.instanceId === i.id),
    );
    return {
      instanceId: i.id,
      imageId: "ami-0123456789abcdef0",
      instanceState: { code: STATE_CODE[i.state] ?? 0, name: i.state },
      instanceType: i.type,
      placement: { availabilityZone: i.az, tenancy: "default" },
      blockDeviceMapping: volumes.map((v) => {
        const a = v.attachments.find((x) => x.instanceId === i.id)!;
        return { deviceName: a.device, ebs: { volumeId: v.id, status: a.state, deleteOnTermination: false } };
      }),
      tagSet: tagSet(i.tags),
    };
  }

  private volumeXml(v: Volume) {
    return {
      volumeId: v.id,
      size: v.size,
      snapshotId: v.snapshotId ?? "",
      availabilityZone: v.az,
      status: v.state,
      createTime: v.createTime,
      attachmentSet: v.attachments.map((a) => ({
        volumeId: v.id,
        instanceId: a.instanceId,
        device: a.device,
        status: a.state,
        deleteOnTermination: false,
      })),
      volumeType: v.type,
      encrypted: false,
      tagSet: tagSet(v.tags),
    };
  }

  private snapshotXml(s: Snapshot) {
    return {
      snapshotId: s.id,
      volumeId: s.volumeId,
      status: s.state,
      startTime: s.startTime,
      progress: s.state === "completed" ? "100%" : "0%",
      ownerId: s.owner,
      volumeSize: s.size,
      description: s.description,
      encrypted: false,
      tagSet: tagSet(s.tags),
    };
  }

  private modificationXml(volumeId: string, m: Modification) {
    return {
      volumeId,
      modificationState: m.state,
      targetSize: m.size,
      targetVolumeType: m.targetType,
      originalSize: m.size,
      originalVolumeType: m.originalType,
      progress: m.state === "completed" ? 100 : m.state === "optimizing" ? 50 : 0,
      startTime: m.startTime,
    };
  }

  private stateChange(i: Instance, previous: string) {
    return {
      instanceId: i.id,
      currentState: { code: STATE_CODE[i.state], name: i.state },
      previousState: { code: STATE_CODE[previous], name: previous },
    };
  }

  /** The actions, by name: each answers the response element's children and whether it changed anything. */
  readonly handlers: Record<string, Handler> = {
    DescribeInstances: (p) => {
      const ids = list(p, "InstanceId");
      const found = ids.length ? ids.map((id) => this.instance(id)) : [...this.instances.values()];
      return {
        applied: false,
        body: {
          reservationSet: found.map((i) => ({
            reservationId: `r-${i.id.slice(2)}`,
            ownerId: i.owner,
            groupSet: [],
            instancesSet: [this.instanceXml(i)],
          })),
        },
      };
    },
    StopInstances: (p) => {
      let applied = false;
      const items = list(p, "InstanceId").map((id) => {
        const i = this.instance(id);
        const previous = i.state;
        if (["pending", "shutting-down", "terminated"].includes(i.state))
          throw new Ec2Error(
            "IncorrectInstanceState",
            `The instance '${id}' is not in a state from which it can be stopped.`,
          );
        if (i.state === "running") {
          i.state = "stopping";
          applied = true;
          this.later(() => {
            if (i.state === "stopping") i.state = "stopped";
          });
        }
        return this.stateChange(i, previous);
      });
      return { applied, body: { instancesSet: items } };
    },
    StartInstances: (p) => {
      let applied = false;
      const ids = list(p, "InstanceId");
      for (const id of ids) {
        const i = this.instance(id);
        if (i.state === "stopping" || i.state === "terminated" || i.state === "shutting-down")
          throw new Ec2Error(
            "IncorrectInstanceState",
            `The instance '${id}' is not in a state from which it can be started.`,
          );
        if (i.state === "stopped" && this.capacityTypes.has(i.type))
          throw new Ec2Error(
            "InsufficientInstanceCapacity",
            `We currently do not have sufficient ${i.type} capacity in the Availability Zone you requested (${i.az}).`,
            500,
          );
      }
      const items = ids.map((id) => {
        const i = this.instance(id);
        const previous = i.state;
        if (i.state === "stopped") {
          i.state = "pending";
          applied = true;
          this.later(() => {
            if (i.state === "pending") i.state = "running";
          });
        }
        return this.stateChange(i, previous);
      });
      return { applied, body: { instancesSet: items } };
    },
    ModifyInstanceAttribute: (p) => {
      const i = this.instance(p.InstanceId ?? "");
      const type = p["InstanceType.Value"];
      if (!type) throw new Ec2Error("MissingParameter", "The request must contain an attribute to modify");
      if (i.state !== "stopped")
        throw new Ec2Error("IncorrectInstanceState", `The instance '${i.id}' is not in the 'stopped' state.`);
      const applied = i.type !== type;
      i.type = type;
      return { applied, body: { return: true } };
    },
    DescribeVolumes: (p) => {
      const ids = list(p, "VolumeId");
      const found = ids.length ? ids.map((id) => this.volume(id)) : [...this.volumes.values()];
      return { applied: false, body: { volumeSet: found.map((v) => this.volumeXml(v)) } };
    },
    CreateSnapshot: (p) => {
      const v = this.volume(p.VolumeId ?? "");
      const s: Snapshot = {
        id: this.id("snap"),
        volumeId: v.id,
        state: "pending",
        size: v.size,
        owner: this.owner,
        description: p.Description ?? "",
        startTime: iso(),
        tags: specTags(p, "snapshot"),
      };
      this.snapshots.set(s.id, s);
      this.later(() => {
        s.state = "completed";
      }, 2);
      return { applied: true, body: this.snapshotXml(s) };
    },
    DescribeSnapshots: (p) => {
      const ids = list(p, "SnapshotId");
      let found = ids.length ? ids.map((id) => this.snapshot(id)) : [...this.snapshots.values()];
      const owners = list(p, "Owner");
      if (owners.length) found = found.filter((s) => owners.some((o) => o === "self" || o === s.owner));
      for (let f = 1; p[`Filter.${f}.Name`] !== undefined; f++) {
        const name = p[`Filter.${f}.Name`]!;
        const values = list(p, `Filter.${f}.Value`);
        if (!name.startsWith("tag:"))
          throw new Ec2Error("InvalidParameterValue", `replay: filter ${name} not supported`);
        found = found.filter((s) => values.includes(s.tags[name.slice(4)] ?? "\u0000"));
      }
      return { applied: false, body: { snapshotSet: found.map((s) => this.snapshotXml(s)) } };
    },
    DetachVolume: (p) => {
      const v = this.volume(p.VolumeId ?? "");
      const a = v.attachments.find((x) => !p.InstanceId || x.instanceId === p.InstanceId);
      if (!a) throw new Ec2Error("IncorrectState", `Volume '${v.id}' is in the 'available' state.`);
      a.state = "detaching";
      this.later(() => {
        v.attachments = v.attachments.filter((x) => x !== a);
        if (!v.attachments.length && v.state === "in-use") v.state = "available";
      });
      return {
        applied: true,
        body: {
          volumeId: v.id,
          instanceId: a.instanceId,
          device: a.device,
          status: "detaching",
          attachTime: v.createTime,
        },
      };
    },
    DeleteVolume: (p) => {
      const v = this.volume(p.VolumeId ?? "");
      if (v.state !== "available")
        throw new Ec2Error(
          "VolumeInUse",
          `Volume ${v.id} is currently attached to ${v.attachments[0]?.instanceId ?? "an instance"}`,
        );
      v.state = "deleting";
      this.later(() => this.volumes.delete(v.id));
      return { applied: true, body: { return: true } };
    },
    CreateVolume: (p) => {
      const key = JSON.stringify({ ...p, ClientToken: undefined, DryRun: undefined });
      const seen = p.ClientToken ? this.tokens.get(p.ClientToken) : undefined;
      if (seen) {
        if (seen.params !== key)
          throw new Ec2Error(
            "IdempotentParameterMismatch",
            "The client token you have provided is associated with a resource that is already deleted. Please use a different client token.",
          );
        const v = this.volumes.get(String(seen.body.volumeId));
        return { applied: false, body: v ? this.volumeXml(v) : seen.body };
      }
      if (!p.AvailabilityZone)
        throw new Ec2Error("MissingParameter", "The request must contain the parameter AvailabilityZone");
      const snap = p.SnapshotId ? this.snapshot(p.SnapshotId) : undefined;
      const v: Volume = {
        id: this.id("vol"),
        state: "creating",
        type: p.VolumeType ?? "gp2",
        size: Number(p.Size ?? snap?.size ?? 8),
        az: p.AvailabilityZone,
        ...(snap ? { snapshotId: snap.id } : {}),
        attachments: [],
        modifications: [],
        createTime: iso(),
        tags: specTags(p, "volume"),
      };
      this.volumes.set(v.id, v);
      this.later(() => {
        if (v.state === "creating") v.state = "available";
      });
      const body = this.volumeXml(v);
      if (p.ClientToken) this.tokens.set(p.ClientToken, { params: key, body });
      return { applied: true, body };
    },
    AttachVolume: (p) => {
      const v = this.volume(p.VolumeId ?? "");
      const i = this.instance(p.InstanceId ?? "");
      if (v.state !== "available") throw new Ec2Error("IncorrectState", `vol '${v.id}' is not 'available'.`);
      if (v.az !== i.az)
        throw new Ec2Error(
          "InvalidVolume.ZoneMismatch",
          `The volume '${v.id}' is not in the same availability zone as instance '${i.id}'`,
        );
      const a: Attachment = { instanceId: i.id, device: p.Device ?? "/dev/sdf", state: "attaching" };
      v.attachments.push(a);
      v.state = "in-use";
      this.later(() => {
        a.state = "attached";
      });
      return {
        applied: true,
        body: { volumeId: v.id, instanceId: i.id, device: a.device, status: "attaching", attachTime: iso() },
      };
    },
    ModifyVolume: (p) => {
      const v = this.volume(p.VolumeId ?? "");
      const type = p.VolumeType ?? v.type;
      if (v.modifications.some((m) => m.state === "modifying" || m.state === "optimizing"))
        throw new Ec2Error(
          "IncorrectModificationState",
          `Cannot modify volume ${v.id}: a modification is already in progress.`,
        );
      if (!VOLUME_TYPES.includes(type))
        throw new Ec2Error("InvalidParameterValue", `Value (${type}) for parameter volumeType is invalid.`);
      if (type === v.type)
        throw new Ec2Error(
          "InvalidParameterValue",
          `New type '${type}' must be different from the current type.`,
        );
      const m: Modification = {
        state: "modifying",
        originalType: v.type,
        targetType: type,
        size: v.size,
        startTime: iso(),
      };
      v.modifications.push(m);
      this.later(() => {
        m.state = "optimizing";
        v.type = type;
        this.later(() => {
          m.state = "completed";
        }, 3);
      });
      return { applied: true, body: { volumeModification: this.modificationXml(v.id, m) } };
    },
    DescribeVolumesModifications: (p) => {
      const ids = list(p, "VolumeId");
      const out = ids.flatMap((id) => {
        const v = this.volume(id);
        return v.modifications.map((m) => this.modificationXml(id, m));
      });
      return { applied: false, body: { volumeModificationSet: out } };
    },
    DeleteSnapshot: (p) => {
      const s = this.snapshot(p.SnapshotId ?? "");
      this.snapshots.delete(s.id);
      return { applied: true, body: { return: true } };
    },
    DescribeAddresses: (p) => {
      const ips = list(p, "PublicIp");
      const allocations = list(p, "AllocationId");
      const all = [...this.addresses.values()];
      const found = [
        ...ips.map((ip) => {
          const a = all.find((x) => x.publicIp === ip);
          if (!a) throw new Ec2Error("InvalidAddress.NotFound", `Address '${ip}' not found.`);
          return a;
        }),
        ...allocations.map((id) => this.address(id)),
      ];
      return {
        applied: false,
        body: {
          addressesSet: (ips.length || allocations.length ? found : all).map((a) => ({
            publicIp: a.publicIp,
            allocationId: a.allocationId,
            domain: "vpc",
            ...(a.associationId ? { associationId: a.associationId, instanceId: a.instanceId } : {}),
            networkInterfaceOwnerId: this.owner,
            tagSet: tagSet(a.tags),
          })),
        },
      };
    },
    ReleaseAddress: (p) => {
      const a = this.address(p.AllocationId ?? "");
      if (a.associationId) throw new Ec2Error("InvalidIPAddress.InUse", `Address '${a.publicIp}' is in use.`);
      this.addresses.delete(a.allocationId);
      return { applied: true, body: { return: true } };
    },
    CreateTags: (p) => {
      const tags = tagList(p, "Tag");
      for (const id of list(p, "ResourceId")) {
        const r = this.tagged(id);
        for (const t of tags) {
          if (t.key.toLowerCase().startsWith("aws:"))
            throw new Ec2Error(
              "InvalidParameterValue",
              `Tag keys starting with 'aws:' are reserved for internal use`,
            );
          r.tags[t.key] = t.value ?? "";
        }
      }
      return { applied: true, body: { return: true } };
    },
    DeleteTags: (p) => {
      const tags = tagList(p, "Tag");
      for (const id of list(p, "ResourceId")) {
        const r = this.tagged(id);
        for (const t of tags) if (t.value === undefined || r.tags[t.key] === t.value) delete r.tags[t.key];
      }
      return { applied: true, body: { return: true } };
    },
  };
}
