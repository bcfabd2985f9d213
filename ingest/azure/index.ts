/** Azure: cost details exports (actual, amortized), Cost Management, Blob delivery and Azure Monitor metrics. */
import type { Provider } from "../provider.ts";
import { billedVirtualMachines } from "./billed-resources.ts";
import { azureBlobSource } from "./blob.ts";
import { azureCostManagementSource } from "./cost-management.ts";
import { azureActual, azureAmortized, azureCostManagement } from "./formats.ts";
import { azureMonitorSource } from "./monitor.ts";
import { resourceGraphSource } from "./resource-graph.ts";

export const azure: Provider = {
  id: "azure",
  formats: [azureActual, azureAmortized, azureCostManagement],
  sources: [azureBlobSource, azureCostManagementSource, azureMonitorSource, resourceGraphSource],
  billedVirtualMachines,
};
