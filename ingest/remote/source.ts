/**
 * Remote sources copy an export from cloud storage or a cloud API into the local
 * cache (data/cache/<scheme>/…), keeping the export's own layout, so the loader
 * and its manifests work on them as on any folder. Unchanged objects are not
 * downloaded again (size and ETag are compared). A source loads its cloud SDK only
 * when it fetches, so listing sources (and starting the CLI) costs nothing.
 */
import type { Config } from "../../core/config.ts";
import type { Progress } from "../../core/log.ts";
import type { Warehouse } from "../../core/warehouse/warehouse.ts";

export interface FetchOptions {
  cacheDir: string;
  config: Config;
  progress: Progress;
  /** For API sources: the first billing month to fetch, YYYY-MM. */
  since?: string;
  /** For API sources that pull for the resources billing shows (metrics). */
  warehouse?: Warehouse;
}

export interface RemoteSource {
  /** URI forms, for --help. */
  forms: string[];
  description: string;
  matches(uri: string): boolean;
  /** Copy what the URI names into the cache; returns the local folder to ingest. */
  fetch(uri: string, options: FetchOptions): Promise<string>;
}
