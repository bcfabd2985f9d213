import { execFile, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { withLock } from "../../../../actions/providers/sandbox/lock.ts";
import { tempDir } from "../../../helpers/tmp.ts";

const run = promisify(execFile);
const LOCK_TS = path.resolve(import.meta.dirname, "../../../../actions/providers/sandbox/lock.ts");

describe("the sandbox lock", () => {
  it("keeps two processes' read-change-write from interleaving", async () => {
    const dir = tempDir();
    const counter = path.join(dir, "counter.json");
    writeFileSync(counter, "0");
    const script = path.join(dir, "bump.mts");
    writeFileSync(
      script,
      `import { readFileSync, writeFileSync } from "node:fs";
       import { withLock } from ${JSON.stringify(LOCK_TS)};
       for (let i = 0; i < 200; i++) withLock(${JSON.stringify(path.join(dir, "lock"))}, () => {
         const n = Number(readFileSync(${JSON.stringify(counter)}, "utf8"));
         writeFileSync(${JSON.stringify(counter)}, String(n + 1));
       });`,
    );
    const child = () => run(process.execPath, ["--import", "tsx", script], { cwd: path.dirname(LOCK_TS) });
    await Promise.all([child(), child()]);
    expect(Number(readFileSync(counter, "utf8"))).toBe(400);
  }, 60_000);

  it("takes over a lock whose owner was killed", () => {
    const dir = tempDir();
    const lock = path.join(dir, "lock");
    const dead = spawnSync(process.execPath, [
      "-e",
      "process.stdout.write(String(process.pid))",
    ]).stdout.toString();
    writeFileSync(lock, dead);
    expect(withLock(lock, () => "got it")).toBe("got it");
  });
});
