/**
 * No Docker on this machine: the image is not built here. What can be checked is: the compose
 * file parses and wires the service to a volume and the secret from the environment, and the
 * Dockerfile's copies, commands and health check name things that exist.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ROOT } from "./cli.ts";

const read = (file: string) => readFileSync(path.join(ROOT, file), "utf8");

/** Dockerfile instructions, continuation lines joined. */
function instructions(text: string): { op: string; args: string }[] {
  return text
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"))
    .map((l) => {
      const [op, ...rest] = l.split(/\s+/);
      return { op: op!.toUpperCase(), args: rest.join(" ") };
    });
}

describe("compose.yaml", () => {
  it("parses and runs the service with a named data volume, the secret from the environment, and time to drain", () => {
    const compose = parse(read("compose.yaml"));
    const service = compose.services.cco;
    expect(service.build).toBe(".");
    expect(service.volumes).toEqual(["cco-data:/data"]);
    expect(Object.keys(compose.volumes)).toEqual(["cco-data"]);
    expect(service.environment.CCO_JWT_SECRET).toMatch(/^\$\{CCO_JWT_SECRET:\?/);
    expect(service.ports).toEqual(["127.0.0.1:8787:8787"]);
    expect(service.stop_grace_period).toMatch(/^\d+[ms]$/);
  });
});

describe("Dockerfile", () => {
  const steps = instructions(read("Dockerfile"));
  const args = (op: string) => steps.filter((s) => s.op === op).map((s) => s.args);

  it("builds on node:20-bookworm-slim and runs cco serve on all addresses as a non-root user", () => {
    expect(args("FROM")).toEqual(["node:20-bookworm-slim"]);
    expect(args("USER")).toEqual(["node"]);
    const entry = JSON.parse(args("ENTRYPOINT")[0]!);
    const cmd = JSON.parse(args("CMD")[0]!);
    expect([...entry, ...cmd]).toEqual(["node", "bin/cco.js", "serve", "--host", "0.0.0.0"]);
    expect(existsSync(path.join(ROOT, entry[1]))).toBe(true);
    expect(args("VOLUME")).toEqual(['["/data"]']);
    expect(read("Dockerfile")).toMatch(/CCO_DATA_DIR=\/data/);
  });

  it("checks health on /healthz, at the port the service listens on by default", async () => {
    const { serviceSchema } = await import("../../core/service-settings.ts");
    const port = serviceSchema.parse({}).port;
    const check = args("HEALTHCHECK")[0]!;
    expect(check).toContain(`http://127.0.0.1:${port}/healthz`);
    expect(args("EXPOSE")).toEqual([String(port)]);
  });

  it("copies files that exist, and installs without dev dependencies what the container runs", () => {
    for (const copy of args("COPY")) {
      const sources = copy
        .split(/\s+/)
        .filter((a) => !a.startsWith("--"))
        .slice(0, -1);
      for (const source of sources) expect(existsSync(path.join(ROOT, source)), source).toBe(true);
    }
    const pkg = JSON.parse(read("package.json"));
    expect(args("RUN").join("\n")).toContain("npm ci --omit=dev");
    // bin/cco.js compiles with esbuild; the report's loaders and the CLI fallbacks use tsx.
    for (const runtime of ["esbuild", "tsx", "express", "@duckdb/node-api"])
      expect(pkg.dependencies[runtime], runtime).toBeDefined();
    expect(args("RUN").join("\n")).toContain("node bin/compile.js --force");
  });

  it("leaves out of the build context nothing the service reads at run time", () => {
    const ignored = read(".dockerignore")
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith("#"));
    for (const needed of [
      "bin",
      "core",
      "service",
      "models",
      "macros",
      "seeds",
      "tests",
      "reports",
      "dbt_project.yml",
      "package-lock.json",
    ]) {
      expect(existsSync(path.join(ROOT, needed)), needed).toBe(true);
      expect(
        ignored.some((pattern) => pattern === needed || needed.startsWith(`${pattern}/`)),
        needed,
      ).toBe(false);
    }
    for (const local of ["node_modules", "data", "dist", ".git"]) expect(ignored).toContain(local);
  });
});
