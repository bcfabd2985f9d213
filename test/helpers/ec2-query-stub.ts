/**
 * A local HTTP server speaking the EC2 Query protocol for the actions a test replays: requests
 * are form-encoded (Action=DescribeVolumes&Version=2016-11-15&MaxResults=…), responses are XML in
 * the documented shape (<DescribeVolumesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
 * with a requestId, then the action's sets). It records each request's parameters.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface Ec2QueryStub {
  url: string;
  requests: { action: string; params: Record<string, string> }[];
  close(): Promise<void>;
}

/** XML of a value as EC2 writes it: objects as elements, arrays as <item>s, nothing for undefined. */
export function xml(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (Array.isArray(value)) return value.map((v) => `<item>${xml(v)}</item>`).join("");
  if (typeof value === "object")
    return Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `<${k}>${xml(v)}</${k}>`)
      .join("");
  return String(value).replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

/** Handlers get the request's parameters and answer the response element's children (as an object for xml()). */
export async function startEc2QueryStub(
  handlers: Record<string, (params: Record<string, string>) => Record<string, unknown>>,
): Promise<Ec2QueryStub> {
  const requests: Ec2QueryStub["requests"] = [];
  let n = 0;
  const server: Server = createServer(async (req, res) => {
    let text = "";
    for await (const chunk of req) text += chunk;
    const params = Object.fromEntries(new URLSearchParams(text));
    const action = params.Action ?? "";
    requests.push({ action, params });
    const requestId = `00000000-0000-4000-8000-${String(++n).padStart(12, "0")}`;
    const handler = handlers[action];
    res.setHeader("content-type", "text/xml;charset=UTF-8");
    if (!handler) {
      res.writeHead(400);
      res.end(
        `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>InvalidAction</Code><Message>stub: no ${action}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`,
      );
      return;
    }
    res.writeHead(200);
    res.end(
      `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>${requestId}</requestId>${xml(handler(params))}</${action}Response>`,
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
