/** Every remote source; adding one touches only its file and this list. */
import { azureBlobSource } from "./azure-blob.ts";
import { azureCostManagementSource } from "./azure-cost-management.ts";
import { azureMonitorSource } from "./azure-monitor.ts";
import { bigQuerySource } from "./bigquery.ts";
import { cloudMonitoringSource } from "./cloud-monitoring.ts";
import { cloudWatchSource } from "./cloudwatch.ts";
import { costExplorerSource } from "./cost-explorer.ts";
import { s3Source } from "./s3.ts";
import type { FetchOptions, RemoteSource } from "./source.ts";
import { UsageError } from "../../core/errors.ts";

export const REMOTE_SOURCES: RemoteSource[] = [
  s3Source,
  azureBlobSource,
  bigQuerySource,
  cloudWatchSource,
  costExplorerSource,
  azureMonitorSource,
  azureCostManagementSource,
  cloudMonitoringSource,
];

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
