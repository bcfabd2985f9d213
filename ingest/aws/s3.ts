/**
 * s3://bucket/prefix through @aws-sdk/client-s3 with the standard credential chain
 * (environment, shared config, SSO, instance role). Point it at a CUR 2.0 or legacy
 * CUR prefix: the manifests it copies along decide which files are current.
 */
import path from "node:path";
import type { Readable } from "node:stream";
import type { S3Client } from "@aws-sdk/client-s3";
import type { Config } from "../../core/config.ts";
import { InputError, UsageError } from "../../core/errors.ts";
import { isCurrent, safeRelative, store } from "../remote/cache.ts";
import type { RemoteSource } from "../remote/source.ts";

const OBJECT = /\.(csv|csv\.gz|parquet|json)$/i;

/** An S3 client as the config's sources.s3 says (region, an S3-compatible endpoint, path style). */
export async function s3Client(config: Config): Promise<S3Client> {
  const { S3Client } = await import("@aws-sdk/client-s3");
  return new S3Client({
    ...(config.sources.s3.region ? { region: config.sources.s3.region } : {}),
    ...(config.sources.s3.endpoint ? { endpoint: config.sources.s3.endpoint } : {}),
    forcePathStyle: config.sources.s3.forcePathStyle,
    // Checksums only where S3 requires them: S3-compatible servers reject the newer defaults.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
}

export const s3Source: RemoteSource = {
  forms: ["s3://<bucket>/<prefix>"],
  description: "Amazon S3 (CUR 2.0, legacy CUR, FOCUS exports), standard AWS credential chain",
  matches: (uri) => uri.startsWith("s3://"),
  async fetch(uri, { cacheDir, config, progress }) {
    const { host: bucket, pathname } = new URL(uri);
    // A bucket as S3 names them: never a path segment such as `..` in the cache.
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket) || bucket.includes(".."))
      throw new UsageError(`${uri}: ${JSON.stringify(bucket)} is not an S3 bucket name`);
    const prefix = pathname.replace(/^\//, "");
    const { GetObjectCommand, ListObjectsV2Command } = await import("@aws-sdk/client-s3");
    const s3 = await s3Client(config);
    const local = path.join(cacheDir, "s3", bucket, safeRelative(prefix));
    try {
      const objects: { key: string; size: number; etag?: string; modified?: Date }[] = [];
      let token: string | undefined;
      do {
        const page = await s3.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
        );
        for (const o of page.Contents ?? []) {
          if (o.Key && OBJECT.test(o.Key))
            objects.push({ key: o.Key, size: o.Size ?? 0, etag: o.ETag, modified: o.LastModified });
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      if (!objects.length) throw new InputError(uri, "no export files under this prefix");
      await progress.step(`Copying ${objects.length} objects from ${uri}`, async (tick) => {
        for (const [i, o] of objects.entries()) {
          const file = path.join(cacheDir, "s3", bucket, safeRelative(o.key));
          if (!isCurrent(file, o.size, o.etag)) {
            const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: o.key }));
            await store(file, got.Body as Readable, o.etag, o.modified);
          }
          tick(i + 1, objects.length);
        }
      });
    } catch (error) {
      if (error instanceof InputError) throw error;
      throw new InputError(
        uri,
        `cannot read from S3: ${(error as Error).name}: ${(error as Error).message}`,
        {},
        {
          cause: error,
        },
      );
    } finally {
      s3.destroy();
    }
    return local;
  },
};
