/** `cco actions policy`: each cloud's least-privilege grant from the enabled kinds' declared permissions. */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { KINDS } from "../../actions/kinds/index.ts";
import { policyFor } from "../../actions/policy.ts";
import { tempDir } from "../helpers/tmp.ts";
import { cco } from "../orchestrator/cli/run-cli.ts";

describe("action policies", () => {
  it("grants an IAM statement per kind with exactly its declared actions", () => {
    const policy = policyFor("aws", ["stop_vm", "release_address"]);
    const statements = policy.document.Statement as { Sid: string; Action: string[]; Effect: string }[];
    expect(statements.map((s) => s.Sid)).toEqual(["CcoStopVm", "CcoReleaseAddress"]);
    expect(statements[0]!.Action).toEqual([...new Set(KINDS.stop_vm!.permissions.aws)].sort());
    for (const s of statements) {
      expect(s.Effect).toBe("Allow");
      for (const a of s.Action) expect(a).toMatch(/^ec2:[A-Z][A-Za-z]+$/);
    }
  });

  it("writes an Azure custom role and a GCP custom role in their own formats, no more than the kinds need", () => {
    const kinds = Object.keys(KINDS);
    const azure = policyFor("azure", kinds).document as {
      Actions: string[];
      IsCustom: boolean;
      AssignableScopes: string[];
    };
    expect(azure.IsCustom).toBe(true);
    expect(azure.Actions).toEqual([...new Set(kinds.flatMap((k) => KINDS[k]!.permissions.azure))].sort());
    for (const a of azure.Actions) expect(a).toMatch(/^Microsoft\.[A-Za-z]+\/[A-Za-z/]+$/);
    const gcp = policyFor("gcp", ["stop_vm"]).document as { includedPermissions: string[]; stage: string };
    expect(gcp.stage).toBe("GA");
    expect(gcp.includedPermissions).toEqual([...new Set(KINDS.stop_vm!.permissions.gcp)].sort());
    for (const p of gcp.includedPermissions) expect(p).toMatch(/^compute\.[a-zA-Z]+\.[a-zA-Z]+$/);
    expect(() => policyFor("gcp", ["no_such_kind"])).toThrow(/no action kind named no_such_kind/);
    // S3 lifecycle rules are AWS only: the Azure role neither names nor grants them.
    expect(policyFor("azure", ["bucket_lifecycle", "stop_vm"]).kinds).toEqual(["stop_vm"]);
    expect(policyFor("aws", ["bucket_lifecycle"]).kinds).toEqual(["bucket_lifecycle"]);
  });

  it("prints the grant for the kinds enabled in config", () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, "cco.config.yaml"), "actions:\n  kinds: [stop_vm, resize_vm]\n");
    const r = cco(["actions", "policy", "--provider", "gcp"], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).includedPermissions).toEqual(
      [...new Set([...KINDS.stop_vm!.permissions.gcp, ...KINDS.resize_vm!.permissions.gcp])].sort(),
    );
    expect(r.stderr).toMatch(/2 kinds: stop_vm, resize_vm/);
    expect(cco(["actions", "policy", "--provider", "oci"], { cwd: dir }).status).toBe(2);
  });
});
