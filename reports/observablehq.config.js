// Observable Framework config for the leadership report. Built offline: no CDN
// stylesheet, no DuckDB-wasm extensions; client libraries come from node_modules.
export default {
  root: "src",
  output: process.env.CCO_SITE_DIR ?? "dist",
  title: process.env.CCO_REPORT_TITLE ?? "Cloud cost report",
  globalStylesheets: [],
  duckdb: { extensions: { json: null, parquet: null } },
  search: false,
  pager: false,
  footer: "Built by cco from the warehouse's Parquet snapshots.",
};
