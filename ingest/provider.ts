/**
 * A provider's plugin, one folder each under ingest/ (as a Tailpipe plugin keeps a provider's
 * tables and sources together, and kysely one folder per dialect): the export formats it
 * writes, the remote sources that fetch them, and the resources its billing shows. Adding a
 * provider touches its folder and one line of providers.ts; the loader treats all alike.
 */
import type { Warehouse } from "../core/warehouse/warehouse.ts";
import type { SourceFormat } from "./format.ts";
import type { RemoteSource } from "./remote/source.ts";

/** Which billed resources a caller wants: e.g. one AWS region, or one Azure subscription. */
export interface ResourceScope {
  region?: string;
  subscription?: string;
}

export interface Provider {
  /** The canonical provider key (aws, azure, gcp, oci, …), as every table spells it. */
  id: string;
  formats: SourceFormat[];
  sources: RemoteSource[];
  /**
   * Virtual machines billed recently (their ids as the provider's metrics name them), read from
   * the landed billing in raw: what metrics sources pull when given no ids.
   */
  billedVirtualMachines?(warehouse: Warehouse, scope: ResourceScope): Promise<string[]>;
}
