/** cco report serve: the built site over HTTP, pages by their clean URLs, until interrupted. */
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { freePort } from "../helpers/ports.ts";
import { tempDir } from "../helpers/tmp.ts";
import { cco, ROOT } from "../orchestrator/cli/run-cli.ts";

describe("cco report serve", () => {
  it("serves pages, scripts and data with their types, answers 404 for the rest, and stops on SIGTERM", async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, "_file"), { recursive: true });
    writeFileSync(path.join(dir, "index.html"), "<!doctype html><title>home</title>");
    writeFileSync(path.join(dir, "spend.html"), "<!doctype html><title>spend</title>");
    writeFileSync(path.join(dir, "_file", "showback.csv"), "a,b\n");
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [path.join(ROOT, "bin/cco.js"), "report", "serve", "--port", String(port), "--dir", dir],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    for (let i = 0; i < 100 && !out.includes("Serving"); i++) await new Promise((r) => setTimeout(r, 100));
    expect(out).toContain(`http://127.0.0.1:${port}/`);
    const get = async (p: string) => {
      const r = await fetch(`http://127.0.0.1:${port}${p}`);
      return [r.status, r.headers.get("content-type"), await r.text()];
    };
    expect(await get("/")).toEqual([200, "text/html; charset=utf-8", "<!doctype html><title>home</title>"]);
    expect(await get("/spend")).toEqual([
      200,
      "text/html; charset=utf-8",
      "<!doctype html><title>spend</title>",
    ]);
    expect(await get("/_file/showback.csv")).toEqual([200, "text/csv; charset=utf-8", "a,b\n"]);
    expect((await get("/nothing"))[0]).toBe(404);
    expect((await get("/../../etc/passwd"))[0]).toBe(404);
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  });

  it("says how to build the site when there is none (exit 2)", () => {
    const r = cco(["report", "serve", "--dir", tempDir()]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/no built site here \(run cco report build, or cco run, first\)/);
  });
});
