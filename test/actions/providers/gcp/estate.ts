/**
 * The GCP adapter's test world: a replay server seeded with a small project (a running VM, a
 * stopped VM with a data disk, an unattached disk, an old snapshot, an idle and a used address),
 * a config pointing actions.gcp (and Cloud Monitoring) at it, and the real adapter with a fixed
 * access token.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { OAuth2Client } from "google-auth-library";
import { createGcpAdapter, type GcpAdapterOptions } from "../../../../actions/providers/gcp/index.ts";
import { type Config, loadConfig } from "../../../../core/config.ts";
import type { GcpReplay } from "../../../helpers/replay/gcp.ts";

export const P = "acme";
export const Z = "europe-west4-a";
export const R = "europe-west4";
export const id = (scope: string, collection: string, name: string) =>
  `//compute.googleapis.com/projects/${P}/${scope}/${collection}/${name}`;
export const IDS = {
  web: id(`zones/${Z}`, "instances", "web-1"),
  web2: id(`zones/${Z}`, "instances", "web-2"),
  batch: id(`zones/${Z}`, "instances", "batch-1"),
  batchData: id(`zones/${Z}`, "disks", "batch-data"),
  orphan: id(`zones/${Z}`, "disks", "orphan-1"),
  orphan2: id(`zones/${Z}`, "disks", "orphan-2"),
  oldSnap: id("global", "snapshots", "old-snap"),
  idleIp: id(`regions/${R}`, "addresses", "idle-ip"),
  usedIp: id(`regions/${R}`, "addresses", "used-ip"),
};

export function seed(replay: GcpReplay): void {
  replay.instance(P, Z, "web-1", "n2-standard-4", { labels: { team: "web" } });
  replay.instance(P, Z, "web-2", "n2-standard-8", { labels: { team: "web" } });
  const batch = replay.instance(P, Z, "batch-1", "e2-standard-2", { status: "TERMINATED" });
  replay.attach(batch, replay.disk(P, Z, "batch-1", "pd-balanced", 20), "persistent-disk-0", true);
  replay.attach(batch, replay.disk(P, Z, "batch-data", "pd-ssd", 200, { labels: { team: "batch" } }), "data");
  replay.disk(P, Z, "orphan-1", "pd-ssd", 100, { labels: { team: "data" } });
  replay.disk(P, Z, "orphan-2", "pd-standard", 500);
  replay.snapshot(P, "old-snap", 50, { labels: { team: "data" } });
  replay.address(P, R, "idle-ip");
  replay.address(P, R, "used-ip", {
    status: "IN_USE",
    users: [`https://www.googleapis.com/compute/v1/projects/${P}/regions/${R}/forwardingRules/web-lb`],
  });
}

/** cco.config.yaml in `dir` for the GCP adapter at `url`; `actions` adds lines under actions:. */
export function gcpConfig(dir: string, url: string, actions = ""): Config {
  const configFile = path.join(dir, "cco.config.yaml");
  writeFileSync(
    configFile,
    `actions:
  mode: execute
  adapters: {gcp: gcp}
  gcp: {api_endpoint: "${url}", poll_interval_ms: 1, wait_seconds: 5}
${actions}sources:
  cloud_monitoring: {api_endpoint: "${url}"}
`,
  );
  return loadConfig({ configFile, dataDir: dir, env: {} });
}

export function authClient(): OAuth2Client {
  const auth = new OAuth2Client();
  auth.setCredentials({ access_token: "test-token", expiry_date: Date.now() + 3_600_000 });
  return auth;
}

export const adapterFor = (config: Config, options: GcpAdapterOptions = {}) =>
  createGcpAdapter(config, { authClient: authClient(), requestTimeoutMs: 700, ...options });
