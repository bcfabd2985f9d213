/** The adapter and call context per provider for one run: given ones (tests) or config's (providers/index.ts). */
import type { Config } from "../../core/config.ts";
import type { Warehouse } from "../../core/warehouse/warehouse.ts";
import type { CloudAdapter, Provider } from "../providers/adapter.ts";
import { type CallContext, realSleep } from "./calls.ts";

export interface AdapterOptions {
  adapters?: Partial<Record<Provider, CloudAdapter>>;
  sleep?: (ms: number) => Promise<void>;
}

export function contexts(
  warehouse: Warehouse,
  config: Config,
  options: AdapterOptions,
): (provider: Provider) => Promise<CallContext> {
  const adapters = new Map(Object.entries(options.adapters ?? {}) as [Provider, CloudAdapter][]);
  const sleep = options.sleep ?? realSleep;
  return async (provider) => {
    let adapter = adapters.get(provider);
    if (!adapter) {
      const { createAdapter } = await import("../providers/index.ts");
      adapter = await createAdapter(provider, config, warehouse);
      adapters.set(provider, adapter);
    }
    return { warehouse, config, adapter, sleep };
  };
}
