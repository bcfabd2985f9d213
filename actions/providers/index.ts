/**
 * The adapter each provider's actions run through, as `actions.adapters.<provider>` chooses:
 * the sandbox cloud, or the provider's own API through its SDK (one folder each: aws/, azure/,
 * gcp/, each exporting createAwsAdapter / createAzureAdapter / createGcpAdapter from index.ts,
 * loaded only when chosen).
 */
import type { Config } from "../../core/config.ts";
import type { Warehouse } from "../../core/warehouse/warehouse.ts";
import type { CloudAdapter, Provider } from "./adapter.ts";
import { openSandbox } from "./sandbox/sandbox.ts";

export { PROVIDERS } from "./adapter.ts";

/**
 * The adapter for `provider`. The warehouse is needed only the first time the sandbox is
 * opened (its state is made from the warehouse's resources and metrics).
 */
export async function createAdapter(
  provider: Provider,
  config: Config,
  warehouse?: Warehouse,
): Promise<CloudAdapter> {
  const choice = config.actions.adapters[provider];
  switch (choice) {
    case "sandbox":
      return (await openSandbox(config, warehouse)).adapter(provider);
    case "aws":
      return (await import("./aws/index.ts")).createAwsAdapter(config);
    case "azure":
      return (await import("./azure/index.ts")).createAzureAdapter(config);
    case "gcp":
      return (await import("./gcp/index.ts")).createGcpAdapter(config);
    default:
      throw new Error(`actions.adapters.${provider}: no adapter named ${String(choice)}`);
  }
}
