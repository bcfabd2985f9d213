/**
 * release_address (idle public IPs): irreversible, the address goes back to the provider's pool
 * and cannot be asked for again. The address and its tags are recorded first, so whoever relied
 * on it (an allow-list, a DNS record) can be found.
 */
import { z } from "zod";
import type { ActionKind } from "./kind.ts";

const input = z.strictObject({});
type Input = z.output<typeof input>;

export const releaseAddress: ActionKind<Input> = {
  name: "release_address",
  resourceKind: "ip",
  description: "release an unassociated public address (irreversible: needs the approval's acknowledgement)",
  irreversible: true,
  input,
  parameters: () => ({}),
  permissions: {
    aws: ["ec2:DescribeAddresses", "ec2:ReleaseAddress"],
    azure: ["Microsoft.Network/publicIPAddresses/read", "Microsoft.Network/publicIPAddresses/delete"],
    gcp: ["compute.addresses.get", "compute.addresses.delete", "compute.regionOperations.get"],
  },
  startStates: ["idle", "available", "reserved"],
  recorded: () => ({ exists: true, attachedTo: [] }),
  steps: () => [{ op: "release_address" }],
  after: (_prior, _p, done) => ({ exists: done === 0 }),
  undo: () => null,
  verification: "state",
  loses: (prior) => ({ address: prior.resourceId, region: prior.region, tags: prior.tags }),
};
