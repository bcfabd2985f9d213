/** AWS: CUR 2.0 and legacy CUR exports, Cost Explorer, S3 delivery and CloudWatch metrics. */
import type { Provider } from "../provider.ts";
import { billedVirtualMachines } from "./billed-resources.ts";
import { cloudWatchSource } from "./cloudwatch.ts";
import { costExplorerSource } from "./cost-explorer.ts";
import { ec2InventorySource } from "./ec2-inventory.ts";
import { awsCostExplorer, awsCur2, awsCurLegacy } from "./formats.ts";
import { s3Source } from "./s3.ts";

export const aws: Provider = {
  id: "aws",
  formats: [awsCur2, awsCurLegacy, awsCostExplorer],
  sources: [s3Source, costExplorerSource, cloudWatchSource, ec2InventorySource],
  billedVirtualMachines,
};
