/** GCP: the BigQuery billing export (as files or fetched from BigQuery), the retired file exports, Cloud Monitoring metrics. */
import type { Provider } from "../provider.ts";
import { bigQuerySource } from "./bigquery.ts";
import { cloudMonitoringSource } from "./cloud-monitoring.ts";
import { computeInventorySource } from "./compute-inventory.ts";
import {
  gcpBigQueryCsv,
  gcpBigQueryJson,
  gcpBigQueryParquet,
  gcpFileExportCsv,
  gcpFileExportJson,
} from "./formats.ts";

export const gcp: Provider = {
  id: "gcp",
  formats: [gcpBigQueryJson, gcpBigQueryCsv, gcpBigQueryParquet, gcpFileExportCsv, gcpFileExportJson],
  sources: [bigQuerySource, cloudMonitoringSource, computeInventorySource],
};
