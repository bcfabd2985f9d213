/**
 * A local HTTP server speaking the AWS JSON protocols (1.0 and 1.1) for the
 * operations a test replays: it answers by X-Amz-Target with the documented
 * response shape and records each request body.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface AwsJsonStub {
  url: string;
  requests: { target: string; body: Record<string, unknown> }[];
  close(): Promise<void>;
}

export async function startAwsJsonStub(
  handlers: Record<string, (body: Record<string, unknown>) => unknown>,
): Promise<AwsJsonStub> {
  const requests: AwsJsonStub["requests"] = [];
  const server: Server = createServer(async (req, res) => {
    let text = "";
    for await (const chunk of req) text += chunk;
    const target = String(req.headers["x-amz-target"] ?? "");
    const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    requests.push({ target, body });
    const operation = target.split(".").pop() ?? "";
    const handler = handlers[operation];
    const type = req.headers["content-type"] ?? "application/x-amz-json-1.1";
    if (!handler) {
      res.writeHead(400, { "content-type": type });
      res.end(JSON.stringify({ __type: "UnknownOperationException", message: `stub: no ${target}` }));
      return;
    }
    res.writeHead(200, { "content-type": type });
    res.end(JSON.stringify(handler(body)));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
