import path from "node:path";
import { Command } from "commander";
import { beforeAll, describe, expect, it, vi } from "vitest";
import type { Config } from "../../../../core/config.ts";
import { register } from "../../../../orchestrator/cli/commands/sandbox.ts";
import { tinyEstate } from "./fixture.ts";

let config: Config;

beforeAll(async () => {
  ({ config } = await tinyEstate());
}, 120_000);

async function cco(...args: string[]): Promise<unknown> {
  const program = new Command()
    .exitOverride()
    .option("--config <file>")
    .option("--data-dir <dir>")
    .option("--json");
  register(program);
  const out: string[] = [];
  const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    out.push(String(chunk));
    return true;
  });
  try {
    await program.parseAsync(
      [
        "--config",
        path.join(config.dataDir, "cco.config.yaml"),
        "--data-dir",
        config.dataDir,
        "--json",
        ...args,
      ],
      {
        from: "user",
      },
    );
  } finally {
    spy.mockRestore();
  }
  return JSON.parse(out.join(""));
}

describe("cco sandbox", () => {
  it("status shows the clock and resources; advance moves it and bills; reset forgets it", async () => {
    const status = (await cco("sandbox", "status")) as {
      clock: string;
      resources: { kind: string; count: number }[];
    };
    expect(status.clock).toBe("2026-11-01T00:00:00.000Z");
    expect(status.resources.some((r) => r.kind === "vm" && r.count > 0)).toBe(true);
    const advanced = (await cco("sandbox", "advance", "--days", "2")) as { days: string[]; files: number };
    expect(advanced.days).toEqual(["2026-11-01", "2026-11-02"]);
    expect(advanced.files).toBeGreaterThan(5);
    expect(((await cco("sandbox", "status")) as { billed_through: string }).billed_through).toBe(
      "2026-11-02",
    );
    await cco("sandbox", "reset");
    expect(((await cco("sandbox", "status")) as { billed_through: string | null }).billed_through).toBeNull();
  });
});
