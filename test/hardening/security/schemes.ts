/** The URI schemes docs/ingest.md documents for remote sources, read from its table (`| \`s3://<bucket>…\` |`). */
import { readFileSync } from "node:fs";
import path from "node:path";
import { PROJECT_ROOT } from "../../../core/paths.ts";

export function documentedSchemes(): Set<string> {
  const doc = readFileSync(path.join(PROJECT_ROOT, "docs/ingest.md"), "utf8");
  return new Set([...doc.matchAll(/^\| `([a-z0-9]+):\/\//gm)].map((m) => m[1]!));
}
