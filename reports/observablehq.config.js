// Observable Framework config for the leadership report. Built offline: no CDN
// stylesheet, no DuckDB-wasm extensions; client libraries come from node_modules.
export default {
  root: "src",
  output: process.env.CCO_SITE_DIR ?? "dist",
  title: process.env.CCO_REPORT_TITLE ?? "Cloud cost report",
  pages: [
    { name: "Executive summary", path: "/" },
    { name: "Spend", path: "/spend" },
    { name: "Allocation", path: "/allocation" },
    { name: "Recommendations", path: "/recommendations" },
    { name: "Anomalies", path: "/anomalies" },
    { name: "Commitments", path: "/commitments" },
    { name: "Actions", path: "/actions" },
    { name: "Data quality", path: "/data-quality" },
  ],
  // No favicon request; the "served" class hides the from-disk hint (style.css) once the page
  // is served: a browser runs no module script of a page opened from disk, so the hint stays.
  head: `<link rel="icon" href="data:,">
<script>if (location.protocol !== "file:") document.documentElement.classList.add("served");</script>`,
  style: "style.css",
  header: `<div id="cco-disk-hint">This report is a web site: opened from disk it stays blank. Serve it with <code>npx cco report serve</code> (or any static web server on its folder) and open the address it prints.</div>`,
  globalStylesheets: [],
  duckdb: { extensions: { json: null, parquet: null } },
  search: false,
  pager: false,
  footer: "Built by cco from the warehouse's Parquet snapshots.",
};
