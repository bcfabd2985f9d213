/** The metrics layout (README "Metrics files"): what the generator, the API sources and users write. */
export const METRIC_KEY_COLUMNS = ["timestamp", "provider", "resource_id"] as const;

export const METRIC_VALUE_COLUMNS = [
  "cpu_avg_pct",
  "cpu_max_pct",
  "memory_avg_pct",
  "memory_max_pct",
  "network_in_bytes",
  "network_out_bytes",
  "disk_read_bytes",
  "disk_write_bytes",
] as const;
