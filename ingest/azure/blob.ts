/**
 * Azure Blob storage through @azure/storage-blob: where Cost Management exports
 * write. `azure://<container>/<prefix>` uses AZURE_STORAGE_CONNECTION_STRING;
 * `https://<account>.blob.core.windows.net/<container>/<prefix>` uses it too, or
 * AZURE_STORAGE_SAS_TOKEN.
 */
import path from "node:path";
import type { Readable } from "node:stream";
import type { BlobServiceClient } from "@azure/storage-blob";
import { InputError, UsageError } from "../../core/errors.ts";
import { isCurrent, safeRelative, store } from "../remote/cache.ts";
import type { RemoteSource } from "../remote/source.ts";

const OBJECT = /\.(csv|csv\.gz|parquet|json)$/i;

/**
 * An https URL of a Blob storage account: parsed, not pattern-matched, so that a URL only
 * mentioning the domain (`https://elsewhere?x.blob.core.windows.net/`) never gets the SAS token.
 */
export function isBlobUrl(uri: string): boolean {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return false;
  }
  return (
    url.protocol === "https:" &&
    /^[a-z0-9]{3,24}\.blob\.core\.windows\.net$/.test(url.hostname) &&
    !url.username &&
    !url.password
  );
}

/** Container names as Azure allows them: 3–63 lower-case letters, digits and single hyphens, or $web / $root. */
const CONTAINER = /^((?!-)(?!.*--)[a-z0-9-]{3,63}(?<!-)|\$web|\$root)$/;

/** The Blob service, container and prefix an azure:// or https://<account>.blob… URI names. */
export async function blobLocation(uri: URL): Promise<{
  service: BlobServiceClient;
  account: string;
  container: string;
  prefix: string;
}> {
  const { BlobServiceClient } = await import("@azure/storage-blob");
  const connection = process.env.AZURE_STORAGE_CONNECTION_STRING;
  const parts = uri.pathname.replace(/^\//, "").split("/");
  if (uri.protocol !== "azure:" && !isBlobUrl(uri.href))
    throw new UsageError(
      `${uri.href}: expected azure://<container>/<prefix> or https://<account>.blob.core.windows.net/…`,
    );
  const container = uri.protocol === "azure:" ? uri.host : (parts[0] ?? "");
  if (!CONTAINER.test(container))
    throw new UsageError(`${uri.href}: ${JSON.stringify(container)} is not an Azure container name`);
  if (uri.protocol === "azure:") {
    if (!connection)
      throw new UsageError(`${uri.href}: set AZURE_STORAGE_CONNECTION_STRING to read azure:// URIs`);
    const service = BlobServiceClient.fromConnectionString(connection);
    return { service, account: service.accountName, container, prefix: parts.join("/") };
  }
  const account = uri.hostname.split(".")[0]!;
  const rest = parts.slice(1);
  if (connection)
    return {
      service: BlobServiceClient.fromConnectionString(connection),
      account,
      container,
      prefix: rest.join("/"),
    };
  const sas = process.env.AZURE_STORAGE_SAS_TOKEN;
  if (!sas)
    throw new UsageError(`${uri.href}: set AZURE_STORAGE_CONNECTION_STRING or AZURE_STORAGE_SAS_TOKEN`);
  return {
    service: new BlobServiceClient(`${uri.origin}?${sas.replace(/^\?/, "")}`),
    account,
    container,
    prefix: rest.join("/"),
  };
}

export const azureBlobSource: RemoteSource = {
  forms: ["azure://<container>/<prefix>", "https://<account>.blob.core.windows.net/<container>/<prefix>"],
  description:
    "Azure Blob storage (Cost Management exports), connection string or SAS token from the environment",
  matches: (uri) => uri.startsWith("azure://") || isBlobUrl(uri),
  async fetch(uri, { cacheDir, progress }) {
    const { service, account, container, prefix } = await blobLocation(new URL(uri));
    const local = path.join(cacheDir, "azure", account, container, safeRelative(prefix));
    try {
      const containerClient = service.getContainerClient(container);
      const blobs: { name: string; size: number; etag?: string; modified?: Date }[] = [];
      for await (const blob of containerClient.listBlobsFlat({ prefix })) {
        if (OBJECT.test(blob.name))
          blobs.push({
            name: blob.name,
            size: blob.properties.contentLength ?? 0,
            etag: blob.properties.etag,
            modified: blob.properties.lastModified,
          });
      }
      if (!blobs.length) throw new InputError(uri, "no export files under this prefix");
      await progress.step(`Copying ${blobs.length} blobs from ${uri}`, async (tick) => {
        for (const [i, b] of blobs.entries()) {
          const file = path.join(cacheDir, "azure", account, container, safeRelative(b.name));
          if (!isCurrent(file, b.size, b.etag)) {
            const download = await containerClient.getBlobClient(b.name).download();
            await store(file, download.readableStreamBody as Readable, b.etag, b.modified);
          }
          tick(i + 1, blobs.length);
        }
      });
    } catch (error) {
      if (error instanceof InputError || error instanceof UsageError) throw error;
      throw new InputError(
        uri,
        `cannot read from Azure Blob storage: ${(error as Error).message.split("\n")[0]}`,
        {},
        { cause: error },
      );
    }
    return local;
  },
};
