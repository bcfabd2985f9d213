/**
 * `cco report publish <target>`: the built site to any static host's bucket, S3
 * (s3://bucket/prefix, sources.s3 for the endpoint) or Azure Blob storage (azure://container/prefix
 * or https://<account>.blob.core.windows.net/container/prefix, credentials as ingest reads them).
 * New files go up first and only then are the previous build's leftovers removed, so a reader
 * never meets a page whose scripts are gone. Pages are served uncached, hashed assets for a year.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import type { Config } from "../core/config.ts";
import { CcoError, UsageError } from "../core/errors.ts";
import type { Progress } from "../core/log.ts";
import { contentType } from "./serve.ts";

export interface PublishResult {
  target: string;
  uploaded: number;
  removed: number;
  bytes: number;
}

interface Store {
  list(): Promise<string[]>;
  put(key: string, body: Buffer, type: string, cacheControl: string): Promise<void>;
  remove(keys: string[]): Promise<void>;
  close(): void;
}

function siteFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else out.push(path.relative(root, full).split(path.sep).join("/"));
    }
  };
  walk(root);
  return out.sort();
}

/** Hashed assets (name.0123abcd.ext) never change; pages and unhashed files must be revalidated. */
function cacheControlOf(file: string): string {
  return /\.[0-9a-f]{8}\.[a-z0-9]+$/.test(file) ? "public, max-age=31536000, immutable" : "no-cache";
}

async function s3Store(uri: URL, config: Config): Promise<Store> {
  const { s3Client } = await import("../ingest/aws/s3.ts");
  const { DeleteObjectsCommand, ListObjectsV2Command, PutObjectCommand } = await import("@aws-sdk/client-s3");
  const s3 = await s3Client(config);
  const bucket = uri.host;
  const prefix = uri.pathname.replace(/^\/+|\/+$/g, "");
  const keyOf = (file: string) => (prefix ? `${prefix}/${file}` : file);
  return {
    async list() {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await s3.send(
          new ListObjectsV2Command({
            Bucket: bucket,
            Prefix: prefix ? `${prefix}/` : undefined,
            ContinuationToken: token,
          }),
        );
        for (const o of page.Contents ?? [])
          if (o.Key) keys.push(prefix ? o.Key.slice(prefix.length + 1) : o.Key);
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return keys;
    },
    async put(file, body, type, cacheControl) {
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: keyOf(file),
          Body: body,
          ContentType: type,
          CacheControl: cacheControl,
        }),
      );
    },
    async remove(files) {
      for (let i = 0; i < files.length; i += 1000)
        await s3.send(
          new DeleteObjectsCommand({
            Bucket: bucket,
            Delete: { Objects: files.slice(i, i + 1000).map((f) => ({ Key: keyOf(f) })) },
          }),
        );
    },
    close: () => s3.destroy(),
  };
}

async function blobStore(uri: URL): Promise<Store> {
  const { blobLocation } = await import("../ingest/azure/blob.ts");
  const { service, container, prefix: raw } = await blobLocation(uri);
  const prefix = raw.replace(/\/+$/, "");
  const client = service.getContainerClient(container);
  const keyOf = (file: string) => (prefix ? `${prefix}/${file}` : file);
  return {
    async list() {
      const keys: string[] = [];
      for await (const blob of client.listBlobsFlat({ prefix: prefix ? `${prefix}/` : undefined }))
        keys.push(prefix ? blob.name.slice(prefix.length + 1) : blob.name);
      return keys;
    },
    async put(file, body, type, cacheControl) {
      await client
        .getBlockBlobClient(keyOf(file))
        .uploadData(body, { blobHTTPHeaders: { blobContentType: type, blobCacheControl: cacheControl } });
    },
    async remove(files) {
      for (const f of files) await client.getBlockBlobClient(keyOf(f)).deleteIfExists();
    },
    close: () => undefined,
  };
}

export async function publishSite(
  siteDir: string,
  target: string,
  config: Config,
  progress: Progress,
): Promise<PublishResult> {
  if (!statSync(path.join(siteDir, "index.html"), { throwIfNoEntry: false }))
    throw new UsageError(`${siteDir}: no built site here (run cco report build first)`);
  let uri: URL;
  try {
    uri = new URL(target);
  } catch {
    throw new UsageError(
      `${target}: expected s3://bucket/prefix, azure://container/prefix or https://<account>.blob.core.windows.net/…`,
    );
  }
  const store =
    uri.protocol === "s3:"
      ? await s3Store(uri, config)
      : uri.protocol === "azure:" ||
          (uri.protocol === "https:" && /\.blob\.core\.windows\.net$/.test(uri.host))
        ? await blobStore(uri)
        : undefined;
  if (!store) throw new UsageError(`${target}: expected s3://bucket/prefix or azure://container/prefix`);
  const files = siteFiles(siteDir);
  let bytes = 0;
  try {
    const before = await store.list();
    await progress.step(`Uploading ${files.length} files to ${target}`, async (tick) => {
      // Assets before pages: a page is only reachable once everything it loads is there.
      const ordered = [
        ...files.filter((f) => !f.endsWith(".html")),
        ...files.filter((f) => f.endsWith(".html")),
      ];
      for (const [i, file] of ordered.entries()) {
        const body = readFileSync(path.join(siteDir, file));
        bytes += body.length;
        await store.put(file, body, contentType(file), cacheControlOf(file));
        tick(i + 1, ordered.length);
      }
    });
    const current = new Set(files);
    const stale = before.filter((k) => !current.has(k));
    if (stale.length) await store.remove(stale);
    return { target, uploaded: files.length, removed: stale.length, bytes };
  } catch (error) {
    if (error instanceof CcoError) throw error;
    throw new CcoError(`${target}: publishing failed: ${(error as Error).name}: ${(error as Error).message}`);
  } finally {
    store.close();
  }
}
