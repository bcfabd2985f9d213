/**
 * The AWS adapter's test world: the replay server seeded with an estate, and the real adapter
 * (the real SDK) pointed at it through config.actions.aws.ec2_endpoint, with short polls and a
 * short request timeout so faults play out in milliseconds.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll } from "vitest";
import type { AwsAdapter } from "../../../../actions/providers/aws/index.ts";
import { loadConfig } from "../../../../core/config.ts";
import { type AwsReplay, type ReplayOptions, startAwsReplay } from "../../../helpers/replay/aws.ts";
import { tempDir } from "../../../helpers/tmp.ts";
import { adapterFor, awsYaml, REQUEST_TIMEOUT_MS } from "./adapter-options.ts";

export { adapterFor, awsYaml } from "./adapter-options.ts";

export async function awsWorld(options: ReplayOptions = {}) {
  const replay: AwsReplay = await startAwsReplay({ holdMs: REQUEST_TIMEOUT_MS * 3, ...options });
  const dir = tempDir("cco-aws-");
  const configFile = path.join(dir, "cco.config.yaml");
  writeFileSync(configFile, awsYaml(replay.url));
  const config = loadConfig({ configFile, dataDir: dir, env: {} });
  const adapter: AwsAdapter = adapterFor(config, replay.url);
  afterAll(async () => {
    adapter.close();
    await replay.close();
  });
  return { replay, adapter, config };
}

/** A small estate: a running and a stopped instance, volumes (one on the stopped VM), a snapshot, two addresses. */
export const ESTATE = {
  instances: [
    { id: "i-0run", state: "running", type: "m5.xlarge", tags: { team: "web" } },
    { id: "i-0stop", state: "stopped", type: "m5.large" },
  ],
  volumes: [
    { id: "vol-0free", type: "gp2", size: 100, tags: { team: "web", Name: "data" } },
    {
      id: "vol-0onstop",
      type: "gp2",
      size: 50,
      attachments: [{ instanceId: "i-0stop", device: "/dev/sdg", state: "attached" as const }],
    },
    {
      id: "vol-0onrun",
      type: "gp2",
      size: 20,
      attachments: [{ instanceId: "i-0run", device: "/dev/sdh", state: "attached" as const }],
    },
  ],
  snapshots: [{ id: "snap-0old", volumeId: "vol-0gone", size: 30, tags: { team: "data" } }],
  addresses: [
    { publicIp: "203.0.113.10", allocationId: "eipalloc-0idle" },
    {
      publicIp: "203.0.113.11",
      allocationId: "eipalloc-0used",
      associationId: "eipassoc-01",
      instanceId: "i-0run",
    },
  ],
};
