import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { compile, describeBuildError, ensureCompiled, isStale } from "../../bin/compile.js";

const COMPILER = path.resolve(import.meta.dirname, "../../bin/compile.js");
import { tempDir } from "../helpers/tmp.ts";

/** A small tree shaped like the checkout's: a module importing another by its .ts name (statically and dynamically). */
function scratchTree(): string {
  const root = tempDir("cco-compile-");
  mkdirSync(path.join(root, "core", "sub"), { recursive: true });
  writeFileSync(
    path.join(root, "core", "main.ts"),
    `import { twice } from "./sub/twice.ts";
import type { Unused } from "./sub/types.ts";
const data: { n: number } = { n: 20 };
const later = await import("./sub/twice.ts");
const x: Unused | number = twice(data.n) + later.twice(1);
console.log(x);
`,
  );
  writeFileSync(
    path.join(root, "core", "sub", "twice.ts"),
    "export const twice = (n: number): number => n * 2;\n",
  );
  writeFileSync(path.join(root, "core", "sub", "types.ts"), "export type Unused = string;\n");
  // Written a minute ago: what changes after a build is newer than it.
  const past = new Date(Date.now() - 60_000);
  for (const p of ["core", "core/sub", "core/main.ts", "core/sub/twice.ts", "core/sub/types.ts"]) {
    utimesSync(path.join(root, p), past, past);
  }
  return root;
}

describe("compile once", () => {
  it("compiles the tree to dist/ with .ts specifiers as .js, and runs", async () => {
    const root = scratchTree();
    expect(isStale(root)).toBe(true);
    expect(await compile(root)).toBe(3);
    const main = readFileSync(path.join(root, "dist", "core", "main.js"), "utf8");
    expect(main).toContain('from "./sub/twice.js"');
    expect(main).toContain('import("./sub/twice.js")');
    expect(main).not.toMatch(/\.ts"/);
    expect(
      execFileSync(process.execPath, [path.join(root, "dist", "core", "main.js")], { encoding: "utf8" }),
    ).toBe("42\n");
    expect(isStale(root)).toBe(false);
  });

  it("recompiles when a source is newer or a source is added or removed, and not otherwise", async () => {
    const root = scratchTree();
    expect(await ensureCompiled({ root })).toBe(true);
    expect(await ensureCompiled({ root })).toBe(false);

    const twice = path.join(root, "core", "sub", "twice.ts");
    writeFileSync(twice, "export const twice = (n: number): number => n * 3;\n");
    expect(isStale(root)).toBe(true);
    expect(await ensureCompiled({ root })).toBe(true);
    expect(isStale(root)).toBe(false);
    expect(
      execFileSync(process.execPath, [path.join(root, "dist", "core", "main.js")], { encoding: "utf8" }),
    ).toBe("63\n");

    // A removed source: its folder's mtime moves, and its output goes.
    rmSync(path.join(root, "core", "sub", "types.ts"));
    expect(isStale(root)).toBe(true);
    await ensureCompiled({ root });
    expect(existsSync(path.join(root, "dist", "core", "sub", "types.js"))).toBe(false);
    expect(existsSync(path.join(root, "dist", "core", "sub", "twice.js"))).toBe(true);
    expect(isStale(root)).toBe(false);

    // A new source: its folder's mtime moves.
    writeFileSync(path.join(root, "core", "sub", "thrice.ts"), "export const thrice = 3;\n");
    expect(isStale(root)).toBe(true);
    await ensureCompiled({ root });
    expect(existsSync(path.join(root, "dist", "core", "sub", "thrice.js"))).toBe(true);
  });

  it("names the file and line of a syntax error", async () => {
    const root = scratchTree();
    writeFileSync(path.join(root, "core", "broken.ts"), "export const x = ;\n");
    const error = await compile(root).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(describeBuildError(error)).toMatch(/broken\.ts:1:\d+: Unexpected ";"/);
  });

  it("builds once when several processes start on a stale tree together", async () => {
    const root = scratchTree();
    const script = `import { ensureCompiled } from ${JSON.stringify(COMPILER)};
console.log(await ensureCompiled({ root: ${JSON.stringify(root)} }));`;
    const outputs = await Promise.all(
      [1, 2, 3, 4].map(
        () =>
          new Promise<string>((resolve, reject) => {
            const child = spawn(process.execPath, ["--input-type=module", "-e", script]);
            let out = "";
            child.stdout.on("data", (d: Buffer) => (out += d.toString()));
            child.on("error", reject);
            child.on("close", (code) =>
              code === 0 ? resolve(out.trim()) : reject(new Error(`exit ${code}`)),
            );
          }),
      ),
    );
    expect(outputs.sort()).toEqual(["false", "false", "false", "true"]);
    expect(existsSync(path.join(root, "dist", ".lock"))).toBe(false);
  });

  it("takes over the lock of a build that died", async () => {
    const root = scratchTree();
    const dead = spawnSync(process.execPath, ["-e", ""]).pid!;
    mkdirSync(path.join(root, "dist", ".lock"), { recursive: true });
    writeFileSync(path.join(root, "dist", ".lock", "pid"), String(dead));
    const t0 = performance.now();
    expect(await ensureCompiled({ root })).toBe(true);
    expect(performance.now() - t0).toBeLessThan(10_000);
    expect(existsSync(path.join(root, "dist", ".lock"))).toBe(false);
  });
});
