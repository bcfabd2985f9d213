/**
 * dbt's partial parsing, for the project's YAML: parsed documents are kept in
 * <target-path>/partial_parse.json and reused while a file's content is unchanged (its hash, as
 * dbt compares). Parsing the schema YAML is most of the cost of loading the project.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parse as parseYaml } from "yaml";
import { ConfigError } from "../errors.ts";

const VERSION = 2;

interface Entry {
  sha1: string;
  doc: unknown;
}

export class YamlCache {
  private readonly entries: Record<string, Entry>;
  private changed = false;

  constructor(private readonly file: string) {
    let saved: { version?: number; entries?: Record<string, Entry> } = {};
    try {
      saved = JSON.parse(readFileSync(file, "utf8"));
    } catch {
      // No cache yet, or an unreadable one: everything is parsed.
    }
    this.entries = saved.version === VERSION ? (saved.entries ?? {}) : {};
  }

  /** The file's parsed YAML (null for an empty file). */
  parse(file: string): unknown {
    const text = readFileSync(file, "utf8");
    const sha1 = createHash("sha1").update(text).digest("hex");
    const entry = this.entries[file];
    if (entry?.sha1 === sha1) return entry.doc;
    let doc: unknown;
    try {
      doc = parseYaml(text) ?? null;
    } catch (error) {
      // The parser's message names line and column.
      throw new ConfigError(file, "", `not valid YAML: ${(error as Error).message.split("\n")[0]}`);
    }
    this.entries[file] = { sha1, doc };
    this.changed = true;
    return doc;
  }

  /** Write the cache when something was parsed anew; a read-only target is not an error. */
  save(): void {
    if (!this.changed) return;
    try {
      mkdirSync(path.dirname(this.file), { recursive: true });
      writeFileSync(this.file, JSON.stringify({ version: VERSION, entries: this.entries }));
    } catch {
      // The cache only saves time.
    }
  }
}
