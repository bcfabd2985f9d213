/**
 * A local OpenAI-compatible server (POST /v1/chat/completions) that replays a script: each request
 * takes the next step (a tool call, a final text, an HTTP error, or a delay past the client's
 * timeout) and is recorded with its headers and body, so a test can check what was sent.
 * A step may be a function of the request (to answer from what the tools returned); `repeat`
 * answers every request past the script (a model that never stops calling tools).
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface ToolCallStep {
  tool: string;
  arguments: Record<string, unknown> | string;
}

export type Step =
  /** Tool calls in one assistant message. */
  | { toolCalls: ToolCallStep[]; content?: string }
  /** A final answer. */
  | { text: string }
  /** An HTTP error with the API's error body. */
  | { status: number; message: string }
  /** Hold the request this long before answering with `then` (or nothing: the socket is left hanging). */
  | { delayMs: number; then?: Step };

export interface ChatRequest {
  model: string;
  messages: {
    role: string;
    content?: string | null;
    tool_calls?: { id: string; function: { name: string; arguments: string } }[];
    tool_call_id?: string;
  }[];
  tools?: { type: string; function: { name: string; parameters: unknown } }[];
  [key: string]: unknown;
}

export interface FakeOpenAI {
  /** Base URL to give the client (ends in /v1). */
  url: string;
  requests: { headers: IncomingHttpHeaders; body: ChatRequest; raw: string }[];
  /** Every byte every request sent, for "was X ever sent" checks. */
  sent(): string;
  close(): Promise<void>;
}

export async function startFakeOpenAI(
  script: (Step | ((request: ChatRequest) => Step))[],
  options: { repeat?: Step | ((request: ChatRequest) => Step) } = {},
): Promise<FakeOpenAI> {
  const requests: FakeOpenAI["requests"] = [];
  let next = 0;
  let callIds = 0;
  const hanging = new Set<import("node:http").ServerResponse>();
  const server: Server = createServer(async (req, res) => {
    let raw = "";
    for await (const chunk of req) raw += chunk;
    if (req.method !== "POST" || !req.url?.endsWith("/chat/completions")) {
      res.writeHead(404, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          error: { message: `fake: no ${req.method} ${req.url}`, type: "invalid_request_error" },
        }),
      );
      return;
    }
    const body = JSON.parse(raw) as ChatRequest;
    requests.push({ headers: req.headers, body, raw });
    const entry = next < script.length ? script[next++] : options.repeat;
    if (!entry) {
      res.writeHead(500, { "content-type": "application/json" });
      res.end(
        JSON.stringify({ error: { message: "fake: the script has no more steps", type: "server_error" } }),
      );
      return;
    }
    let step = typeof entry === "function" ? entry(body) : entry;
    while ("delayMs" in step) {
      const { delayMs, then } = step;
      hanging.add(res);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      hanging.delete(res);
      if (!then || res.destroyed || res.writableEnded) return;
      step = then;
    }
    if (res.destroyed) return;
    if ("status" in step) {
      res.writeHead(step.status, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: step.message, type: "fake_error", code: null } }));
      return;
    }
    const message =
      "text" in step
        ? { role: "assistant", content: step.text }
        : {
            role: "assistant",
            content: step.content ?? null,
            tool_calls: step.toolCalls.map((c) => ({
              id: `call_${++callIds}`,
              type: "function",
              function: {
                name: c.tool,
                arguments: typeof c.arguments === "string" ? c.arguments : JSON.stringify(c.arguments),
              },
            })),
          };
    res.writeHead(200, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        id: `chatcmpl-${requests.length}`,
        object: "chat.completion",
        created: Math.floor(Date.now() / 1000),
        model: body.model,
        choices: [
          { index: 0, message, finish_reason: "text" in step ? "stop" : "tool_calls", logprobs: null },
        ],
        usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    sent: () => requests.map((r) => `${JSON.stringify(r.headers)}\n${r.raw}`).join("\n"),
    close: () =>
      new Promise((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The tool messages of a request: what the client sent back for each earlier tool call. */
export function toolResults(request: ChatRequest): { id: string; content: unknown }[] {
  return request.messages
    .filter((m) => m.role === "tool")
    .map((m) => ({ id: m.tool_call_id ?? "", content: JSON.parse(m.content ?? "null") }));
}
