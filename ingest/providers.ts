/** Every provider the loader knows, in detection order of their formats. Adding one touches its folder and this list. */
import { UsageError } from "../core/errors.ts";
import type { Warehouse } from "../core/warehouse/warehouse.ts";
import { aws } from "./aws/index.ts";
import { azure } from "./azure/index.ts";
import { focus } from "./focus/index.ts";
import type { SourceFormat } from "./format.ts";
import { gcp } from "./gcp/index.ts";
import { inventory } from "./inventory/index.ts";
import { metrics } from "./metrics/index.ts";
import type { Provider, ResourceScope } from "./provider.ts";
import type { FetchOptions, RemoteSource } from "./remote/source.ts";

export const PROVIDERS: Provider[] = [aws, azure, gcp, focus, metrics, inventory];

export const FORMATS: SourceFormat[] = PROVIDERS.flatMap((p) => p.formats);

export const REMOTE_SOURCES: RemoteSource[] = PROVIDERS.flatMap((p) => p.sources);

/** Local paths for the targets: remote URIs are copied into the cache first. */
export async function resolveTargets(targets: string[], options: FetchOptions): Promise<string[]> {
  const local: string[] = [];
  for (const target of targets) {
    const source = REMOTE_SOURCES.find((s) => s.matches(target));
    if (!source && /^[a-z][a-z0-9+.-]*:\/\//i.test(target)) {
      throw new UsageError(
        `${target}: unknown source; one of ${REMOTE_SOURCES.flatMap((s) => s.forms).join(", ")}`,
      );
    }
    local.push(source ? await source.fetch(target, options) : target);
  }
  return local;
}

/** The virtual machines a provider's landed billing shows (see Provider.billedVirtualMachines). */
export async function billedVirtualMachines(
  warehouse: Warehouse | undefined,
  provider: string,
  scope: ResourceScope,
): Promise<string[]> {
  const found = PROVIDERS.find((p) => p.id === provider);
  if (!warehouse || !found?.billedVirtualMachines) return [];
  return found.billedVirtualMachines(warehouse, scope);
}
