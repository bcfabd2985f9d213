/** Every provider the loader knows, in detection order of their formats. Adding one touches its folder and this list. */
import { existsSync } from "node:fs";
import { UsageError } from "../core/errors.ts";
import type { Warehouse } from "../core/warehouse/warehouse.ts";
import { aws } from "./aws/index.ts";
import { azure } from "./azure/index.ts";
import { focus } from "./focus/index.ts";
import type { SourceFormat } from "./format.ts";
import { gcp } from "./gcp/index.ts";
import { inventory } from "./inventory/index.ts";
import { metrics } from "./metrics/index.ts";
import { shown } from "./probe.ts";
import type { Provider, ResourceScope } from "./provider.ts";
import type { FetchOptions, RemoteSource } from "./remote/source.ts";

export const PROVIDERS: Provider[] = [aws, azure, gcp, focus, metrics, inventory];

export const FORMATS: SourceFormat[] = PROVIDERS.flatMap((p) => p.formats);

export const REMOTE_SOURCES: RemoteSource[] = PROVIDERS.flatMap((p) => p.sources);

/**
 * A target that starts with a URI scheme (`name:`, two characters or more, so that `C:\…` stays a
 * path): `s3://…`, but also `file:///…`, `javascript:…`, `data:…`.
 */
const SCHEME = /^([a-z][a-z0-9+.-]+):/i;

/**
 * Local paths for the targets: remote URIs are copied into the cache first. Only the documented
 * sources' URIs are read (docs/ingest.md); any other scheme is refused, as is a `file://` URI
 * (the path itself is the way to name a file). A path that exists is a path, colon or not.
 */
export async function resolveTargets(targets: string[], options: FetchOptions): Promise<string[]> {
  const local: string[] = [];
  for (const target of targets) {
    const source = REMOTE_SOURCES.find((s) => s.matches(target));
    const shownTarget = shown(target, 120);
    if (source) {
      if (!URL.canParse(target)) throw new UsageError(`${shownTarget}: not a valid URI`);
      local.push(await source.fetch(target, options));
      continue;
    }
    const scheme = SCHEME.exec(target)?.[1]?.toLowerCase();
    if (scheme && (target.includes("://") || !existsSync(target))) {
      if (scheme === "file")
        throw new UsageError(`${shownTarget}: file: URIs are not read; give the file or folder path itself`);
      throw new UsageError(
        `${shownTarget}: ${scheme}: is not a source cco reads; give a file or folder path, or one of ${REMOTE_SOURCES.flatMap((s) => s.forms).join(", ")}`,
      );
    }
    local.push(target);
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
