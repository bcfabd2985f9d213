/** Every format the loader knows, in detection order. Adding one touches only its folder and this list. */
import { awsCostExplorer, awsCur2, awsCurLegacy } from "./aws/formats.ts";
import { azureActual, azureAmortized, azureCostManagement } from "./azure/formats.ts";
import type { SourceFormat } from "./format.ts";
import { focusExport } from "./focus/formats.ts";
import {
  gcpBigQueryCsv,
  gcpBigQueryJson,
  gcpBigQueryParquet,
  gcpFileExportCsv,
  gcpFileExportJson,
} from "./gcp/formats.ts";
import { metricsHourly } from "./metrics/formats.ts";

export const FORMATS: SourceFormat[] = [
  awsCur2,
  awsCurLegacy,
  awsCostExplorer,
  azureActual,
  azureAmortized,
  azureCostManagement,
  gcpBigQueryJson,
  gcpBigQueryCsv,
  gcpBigQueryParquet,
  gcpFileExportCsv,
  gcpFileExportJson,
  focusExport,
  metricsHourly,
];
