/**
 * A local HTTPS server (self-signed certificate made with openssl for 127.0.0.1)
 * that answers JSON by route, for Azure SDK clients, which refuse bearer tokens
 * over plain HTTP. Tests using it set NODE_TLS_REJECT_UNAUTHORIZED=0 for their process.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import path from "node:path";

export interface Route {
  method: string;
  path: RegExp;
  reply: (body: Record<string, unknown>, url: URL) => unknown;
}

export interface HttpsJsonStub {
  url: string;
  requests: { method: string; url: URL; body: Record<string, unknown> }[];
  close(): Promise<void>;
}

export async function startHttpsJsonStub(dir: string, routes: Route[]): Promise<HttpsJsonStub> {
  const key = path.join(dir, "key.pem");
  const cert = path.join(dir, "cert.pem");
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      key,
      "-out",
      cert,
      "-days",
      "1",
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
    ],
    { stdio: "ignore" },
  );
  const requests: HttpsJsonStub["requests"] = [];
  const server: Server = createServer(
    { key: readFileSync(key), cert: readFileSync(cert) },
    async (req, res) => {
      let text = "";
      for await (const chunk of req) text += chunk;
      const url = new URL(req.url ?? "/", "https://127.0.0.1");
      const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
      requests.push({ method: req.method ?? "", url, body });
      const route = routes.find((r) => r.method === req.method && r.path.test(url.pathname));
      res.writeHead(route ? 200 : 404, { "content-type": "application/json" });
      res.end(
        JSON.stringify(
          route
            ? route.reply(body, url)
            : { error: { code: "NotFound", message: `stub: ${req.method} ${url.pathname}` } },
        ),
      );
    },
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
