/**
 * URIs limited to the schemes docs/ingest.md documents: every other scheme is refused with a
 * clear message (exit 2) before anything is fetched, and an https URL goes to Blob storage only
 * when its host really is a storage account's, so a URL merely mentioning the domain never
 * receives the SAS token. Names a URI gives (bucket, container) never become paths elsewhere.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../core/config.ts";
import { UsageError } from "../../../core/errors.ts";
import { blobLocation, isBlobUrl } from "../../../ingest/azure/blob.ts";
import { REMOTE_SOURCES, resolveTargets } from "../../../ingest/providers.ts";
import { quiet, tempDir } from "../../helpers/tmp.ts";
import { cco, STACK_FRAME } from "../../orchestrator/cli/run-cli.ts";
import { documentedSchemes } from "./schemes.ts";

const cwd = tempDir();
const config = loadConfig({ cwd, env: {} });
const options = { cacheDir: path.join(cwd, "cache"), config, progress: quiet };
const refusal = (target: string) =>
  resolveTargets([target], options).then(
    () => undefined,
    (error: unknown) => error as Error,
  );

describe("URI schemes", () => {
  it("the sources take exactly the documented schemes", () => {
    const taken = new Set(REMOTE_SOURCES.flatMap((s) => s.forms).map((f) => /^([a-z0-9]+):/.exec(f)![1]!));
    expect([...taken].sort()).toEqual([...documentedSchemes()].sort());
  });

  it.each([
    ["file:///etc/passwd", /file: URIs are not read; give the file or folder path itself$/],
    ["file:/etc/passwd", /file: URIs are not read/],
    ["FILE:///etc/passwd", /file: URIs are not read/],
    [
      "http://example.com/export.csv",
      /http: is not a source cco reads; give a file or folder path, or one of s3:\/\//,
    ],
    ["ftp://example.com/export.csv", /ftp: is not a source cco reads/],
    ["javascript:alert(1)", /javascript: is not a source cco reads/],
    ["data:text/csv,a%2Cb", /data: is not a source cco reads/],
    ["gs://bucket/export", /gs: is not a source cco reads/],
    ["S3://bucket/export", /S3:\/\/bucket\/export: s3: is not a source/],
    ["https://example.com/c/export.csv", /https: is not a source cco reads/],
    ["https://evil.example?x.blob.core.windows.net/c/p", /https: is not a source cco reads/],
    ["https://evil.example#.blob.core.windows.net/c/p", /https: is not a source cco reads/],
    ["https://acct.blob.core.windows.net.evil.example/c/p", /https: is not a source cco reads/],
    ["https://user:pw@acct.blob.core.windows.net/c/p", /https: is not a source cco reads/],
    ["http://acct.blob.core.windows.net/c/p", /http: is not a source cco reads/],
    ["s3:// !", /not a valid URI$/],
  ])("refuses %s", async (target, message) => {
    const error = await refusal(target);
    expect(error).toBeInstanceOf(UsageError);
    expect(error!.message).toMatch(message);
  });

  it("a path that exists is a path, colon or not; a drive letter is a path", async () => {
    const file = path.join(cwd, "report:2026-10.csv");
    writeFileSync(file, "x\n");
    expect(await resolveTargets([file, "C:\\exports\\cur"], options)).toEqual([file, "C:\\exports\\cur"]);
  });

  it("only a storage account's own host is Blob storage", () => {
    expect(isBlobUrl("https://acct.blob.core.windows.net/c/p")).toBe(true);
    for (const url of [
      "https://evil.example?x.blob.core.windows.net/c/p",
      "https://acct.blob.core.windows.net.evil.example/",
      "https://a:b@acct.blob.core.windows.net/c/",
      "http://acct.blob.core.windows.net/c/",
      "not a url",
    ])
      expect(isBlobUrl(url), url).toBe(false);
  });

  it("a bucket or container that is not a name is refused before it becomes a cache path", async () => {
    const bucket = await refusal("s3://../exports");
    expect(bucket?.message).toMatch(/"\.\." is not an S3 bucket name$/);
    const container = await blobLocation(new URL("azure://../exports")).catch((e: Error) => e);
    expect(container).toBeInstanceOf(UsageError);
    expect((container as Error).message).toMatch(/is not an Azure container name$/);
  });

  it("cco ingest refuses them with exit 2 and one line, fetching nothing", () => {
    for (const target of ["file:///etc/passwd", "http://127.0.0.1:9/x.csv", "javascript:alert(1)"]) {
      const r = cco(["--data-dir", tempDir(), "ingest", target]);
      expect(r.status, target).toBe(2);
      expect(r.stderr.trim().split("\n"), target).toHaveLength(1);
      expect(r.stderr).toMatch(/^cco: .*(file: URIs are not read|is not a source cco reads)/);
      expect(r.stderr).not.toMatch(STACK_FRAME);
    }
  });
});
