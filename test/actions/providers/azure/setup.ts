/**
 * The Azure adapter against the replay server: a config whose actions.azure.arm_endpoint is the
 * replay's URL (polls every 5 ms), a static bearer token (the SDKs' bearer policy needs one; the
 * replay checks it is there), and the replay's self-signed certificate accepted for this process.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { AccessToken, TokenCredential } from "@azure/core-auth";
import { type AzureAdapterOptions, createAzureAdapter } from "../../../../actions/providers/azure/index.ts";
import type { CloudAdapter } from "../../../../actions/providers/adapter.ts";
import { type Config, loadConfig } from "../../../../core/config.ts";
import { type AzureReplay, type ReplayOptions, startAzureReplay } from "../../../helpers/replay/azure.ts";

process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";

export const SUB = "00000000-0000-0000-0000-0000000000a1";
export const RG = `/subscriptions/${SUB}/resourceGroups/rg-app`;
export const vmId = (name: string) => `${RG}/providers/Microsoft.Compute/virtualMachines/${name}`;
export const diskId = (name: string) => `${RG}/providers/Microsoft.Compute/disks/${name}`;
export const snapshotId = (name: string) => `${RG}/providers/Microsoft.Compute/snapshots/${name}`;
export const ipId = (name: string) => `${RG}/providers/Microsoft.Network/publicIPAddresses/${name}`;

export const staticCredential: TokenCredential = {
  getToken: async (): Promise<AccessToken> => ({
    token: "test-token",
    expiresOnTimestamp: Date.now() + 3_600_000,
  }),
};

/** The executor's clock for due approvals: inside the seeded approvals' validity. */
export const RUN_AT = new Date("2026-11-02T10:00:00Z");

/** Request timeout the tests give the SDK; the replay holds a timed-out answer 4x longer. */
export const REQUEST_TIMEOUT_MS = 500;

export function azureYaml(url: string, extra = ""): string {
  return `actions:\n  mode: execute\n  adapters: {azure: azure}\n  azure: {arm_endpoint: "${url}", poll_interval_ms: 5, wait_seconds: 30}\n${extra}`;
}

export function azureConfig(dir: string, url: string, extra = ""): Config {
  mkdirSync(dir, { recursive: true });
  const configFile = path.join(dir, "cco.config.yaml");
  writeFileSync(configFile, azureYaml(url, extra));
  const config = loadConfig({ configFile, dataDir: dir, env: {} });
  config.actions.retries.base_ms = 0;
  return config;
}

export async function replayWithAdapter(
  dir: string,
  options: ReplayOptions = {},
  adapterOptions: AzureAdapterOptions = {},
): Promise<{ replay: AzureReplay; adapter: CloudAdapter; config: Config }> {
  const replay = await startAzureReplay({ timeoutDelayMs: REQUEST_TIMEOUT_MS * 4, ...options });
  const config = azureConfig(dir, replay.url);
  const adapter = createAzureAdapter(config, {
    credential: staticCredential,
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
    ...adapterOptions,
  });
  return { replay, adapter, config };
}
