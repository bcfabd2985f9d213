/** Utilization metrics in the documented layout, from files or written by the providers' metrics sources. */
import type { Provider } from "../provider.ts";
import { metricsHourly } from "./formats.ts";

export const metrics: Provider = { id: "metrics", formats: [metricsHourly], sources: [] };
