/**
 * The targets of `cco ingest` (ingest/providers.ts resolveTargets), fuzzed: any string is a path
 * passed through, a URI of a documented source, or refused with a UsageError naming it. A URI is
 * only ever handed to a source whose scheme docs/ingest.md documents (nothing here fetches: a
 * target a source takes is checked against the documentation instead).
 */
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../core/config.ts";
import { UsageError } from "../../../core/errors.ts";
import { REMOTE_SOURCES, resolveTargets } from "../../../ingest/providers.ts";
import { quiet, tempDir } from "../../helpers/tmp.ts";
import { documentedSchemes } from "../security/schemes.ts";
import { FUZZ_TIMEOUT, runs, seed, Tally } from "./harness.ts";

const cwd = tempDir("cco-fuzz-");
const config = loadConfig({ cwd, env: {} });
const options = { cacheDir: path.join(cwd, "cache"), config, progress: quiet };

describe("ingest targets", () => {
  it("every source's URI form is documented", () => {
    const documented = documentedSchemes();
    expect(documented.size).toBeGreaterThan(10);
    for (const form of REMOTE_SOURCES.flatMap((s) => s.forms)) {
      expect(documented, form).toContain(/^([a-z0-9]+):/.exec(form)![1]);
    }
  });

  it(
    "any string is a path, a documented source's URI, or refused naming it",
    async () => {
      const documented = documentedSchemes();
      const tally = new Tally("targets");
      const scheme = fc.oneof(
        fc.constantFrom(...documented, "file", "http", "ftp", "javascript", "data", "gs", "S3", "HTTPS", "c"),
        fc.stringMatching(/^[a-z][a-z0-9+.-]{0,8}$/),
      );
      const target = fc.oneof(
        fc.string({ maxLength: 60 }),
        fc.webUrl({ withQueryParameters: true, withFragments: true }),
        fc
          .tuple(scheme, fc.constantFrom(":", "://", ":///", ":/"), fc.string({ maxLength: 30 }))
          .map(([s, sep, rest]) => `${s}${sep}${rest}`),
        fc
          .tuple(
            fc.string({ maxLength: 10 }),
            fc.constantFrom(".blob.core.windows.net", ".blob.core.windows.net.evil"),
          )
          .map(([host, domain]) => `https://${host}${domain}/c/p`),
      );
      await fc.assert(
        fc.asyncProperty(target, async (t) => {
          const source = REMOTE_SOURCES.find((s) => s.matches(t));
          if (source && URL.canParse(t)) {
            // Handed to a source: its scheme is documented; an https URL is a Blob storage account's.
            const url = new URL(t);
            expect(documented, t).toContain(url.protocol.slice(0, -1));
            if (url.protocol === "https:") expect(url.hostname, t).toMatch(/\.blob\.core\.windows\.net$/);
            tally.add("a source's");
            return;
          }
          try {
            expect(await resolveTargets([t], options)).toEqual([t]);
            expect(t, "a path, not a URI").not.toMatch(/^[a-z][a-z0-9+.-]+:\/\//i);
            tally.add("path");
          } catch (error) {
            expect(error, String(error)).toBeInstanceOf(UsageError);
            tally.add("refused");
          }
        }),
        { numRuns: runs(300), ...seed() },
      );
      tally.report();
    },
    FUZZ_TIMEOUT,
  );
});
