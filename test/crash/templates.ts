/**
 * The starting points of the crash cases, one data dir per stage, each made once by the real
 * commands and then copied afresh for every case.
 *
 * The warehouse holds absolute paths (lake files in ops.load_parts and the raw views, the
 * external model's folder in its view), so a case runs at the very path its template was built
 * at: the template is built in `<stage>/data`, moved to `<stage>/template`, and each case copies
 * it back to `<stage>/data`. Cases of a stage run one after another.
 */
import { cpSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { openSandbox } from "../../actions/providers/sandbox/sandbox.ts";
import { createProgress } from "../../core/log.ts";
import { Warehouse } from "../../core/warehouse/warehouse.ts";
import { generateEstate } from "../../orchestrator/estate-generator/generate.ts";
import { ALL_KINDS, approvedEstateIn, closeWarehouse } from "../actions/executor/sandbox-estate.ts";
import { ccoJson } from "./cli.ts";

/** The small estate of every case but the executor's: 40 resources over 40 days. */
export const ESTATE = { seed: 7, resources: 40, days: 40, endDate: "2026-10-31" };
/** The same estate five days later: restates October and opens November (an incremental build). */
export const LATER_ESTATE = { ...ESTATE, days: 45, endDate: "2026-11-05" };

const CONFIG_YAML = `generate:\n  resources: ${ESTATE.resources}\n  days: ${ESTATE.days}\n`;

export type TemplateName = "empty" | "ingested" | "restated" | "modelled" | "approved";

export interface Templates {
  root: string;
  estate: string;
  laterEstate: string;
  /** The executor's template: approved kind → the resource its row changes. */
  approved: Record<string, string>;
}

export const dataDir = (t: Templates, name: TemplateName) => path.join(t.root, name, "data");
const templateDir = (t: Templates, name: TemplateName) => path.join(t.root, name, "template");

/** Copy the template back to its data dir: a fresh start for one case. */
export function restore(t: Templates, name: TemplateName): string {
  const data = dataDir(t, name);
  rmSync(data, { recursive: true, force: true });
  cpSync(templateDir(t, name), data, { recursive: true });
  return data;
}

const quiet = createProgress({ quiet: true });

/** Build every template under `root` (about a minute on two cores). */
export async function prepareTemplates(root: string, only?: TemplateName[]): Promise<Templates> {
  const t: Templates = {
    root,
    estate: path.join(root, "estate"),
    laterEstate: path.join(root, "later-estate"),
    approved: {},
  };
  const wanted = (name: TemplateName) => !only || only.includes(name);
  await generateEstate(ESTATE, t.estate, quiet);
  if (wanted("restated")) await generateEstate(LATER_ESTATE, t.laterEstate, quiet);

  const start = async (name: TemplateName) => {
    const data = dataDir(t, name);
    mkdirSync(data, { recursive: true });
    writeFileSync(path.join(data, "cco.config.yaml"), CONFIG_YAML);
    // The warehouse with its migrations applied, as any first command leaves it.
    await (await Warehouse.open({ path: path.join(data, "warehouse.duckdb"), threads: 1 })).close();
    return data;
  };
  const keep = (name: TemplateName) => {
    rmSync(templateDir(t, name), { recursive: true, force: true });
    renameSync(dataDir(t, name), templateDir(t, name));
  };

  if (wanted("empty")) {
    await start("empty");
    keep("empty");
  }
  if (wanted("ingested")) {
    await ccoJson(await start("ingested"), ["ingest", t.estate]);
    keep("ingested");
  }
  if (wanted("restated")) {
    const data = await start("restated");
    await ccoJson(data, ["ingest", t.estate]);
    await ccoJson(data, ["models", "build"]);
    await ccoJson(data, ["ingest", t.laterEstate]);
    keep("restated");
  }
  if (wanted("modelled")) {
    const data = await start("modelled");
    await ccoJson(data, ["ingest", t.estate]);
    await ccoJson(data, ["models", "build"]);
    await ccoJson(data, ["ml"]);
    keep("modelled");
  }
  if (wanted("approved")) {
    // The executor's own estate (test/actions/executor): one approved row per automated kind,
    // approved an hour ago, in execute mode, with its sandbox cloud made.
    const data = dataDir(t, "approved");
    mkdirSync(data, { recursive: true });
    const estate = await approvedEstateIn(data, ALL_KINDS, new Date(Date.now() - 3_600_000).toISOString());
    t.approved = estate.approved;
    await openSandbox(estate.config, estate.warehouse);
    await closeWarehouse();
    // What the executor does not read, and the biggest part of the folder.
    for (const unused of ["site", "estate"])
      rmSync(path.join(data, unused), { recursive: true, force: true });
    keep("approved");
  }
  return t;
}

export const hasTemplate = (t: Templates, name: TemplateName) => existsSync(templateDir(t, name));
