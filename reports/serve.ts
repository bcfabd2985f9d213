/**
 * `cco report serve`: the built site over HTTP on this machine (pages load their modules and
 * data by URL, which a browser refuses for files opened from disk). Also the browser tests' server.
 */
import { createReadStream, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".css": "text/css",
  ".json": "application/json",
  ".csv": "text/csv; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".woff2": "font/woff2",
  ".wasm": "application/wasm",
};

export function contentType(file: string): string {
  return TYPES[path.extname(file)] ?? "application/octet-stream";
}

export async function serveSite(
  root: string,
  options: { port?: number; host?: string } = {},
): Promise<{ url: string; close: () => Promise<void> }> {
  const base = path.resolve(root);
  const server: Server = createServer((req, res) => {
    const urlPath = decodeURIComponent(new URL(req.url ?? "/", "http://localhost").pathname);
    let file = path.join(base, path.normalize(urlPath));
    if (!file.startsWith(base)) return void res.writeHead(403).end();
    const stat = statSync(file, { throwIfNoEntry: false });
    if (stat?.isDirectory()) file = path.join(file, "index.html");
    else if (!stat && statSync(`${file}.html`, { throwIfNoEntry: false })) file = `${file}.html`;
    if (!statSync(file, { throwIfNoEntry: false })?.isFile()) return void res.writeHead(404).end("not found");
    res.writeHead(200, { "content-type": contentType(file) });
    createReadStream(file).pipe(res);
  });
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
