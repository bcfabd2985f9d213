import type { Express } from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, serviceWorld, type World } from "./world.ts";

interface Operation {
  operationId: string;
  responses: Record<string, unknown>;
  parameters?: { name: string; in: string }[];
  security?: unknown[];
  "x-cco-role"?: string;
}
interface Document {
  openapi: string;
  info: { title: string };
  paths: Record<string, Record<string, Operation>>;
}

let w: World;
let doc: Document;
beforeAll(async () => {
  w = await serviceWorld();
  const r = await call(w.url, "GET", "/api/v1/openapi.json");
  expect(r.status).toBe(200);
  doc = JSON.parse(r.text);
});
afterAll(() => w.close());

/** The value at a path of keys in parsed JSON (undefined when any step is missing). */
const dig = (value: unknown, ...keys: (string | number)[]): unknown =>
  keys.reduce<unknown>((node, key) => (node as Record<string | number, unknown> | undefined)?.[key], value);

/** Every route the app answers, from express's own router (not from the document's source). */
function expressRoutes(app: Express): string[] {
  const stack = dig(app, "router", "stack") as {
    route?: { path: string; methods: Record<string, boolean> };
  }[];
  return stack.flatMap((layer) =>
    layer.route ? Object.keys(layer.route.methods).map((method) => `${method} ${layer.route!.path}`) : [],
  );
}

describe("the OpenAPI document", () => {
  it("is OpenAPI 3.1 with every operation answered and every reference resolved", () => {
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.info.title).toBeTypeOf("string");
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) expect(dig(doc, ...ref.slice(10, -1).split("/")), ref).toBeDefined();
    for (const [p, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        expect(["get", "post", "patch", "delete"]).toContain(method);
        expect(Object.keys(op.responses).length, `${method} ${p}`).toBeGreaterThan(0);
        expect(op.operationId).toMatch(/^[A-Za-z0-9]+$/);
        const named = [...p.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
        const inPath = (op.parameters ?? []).filter((x) => x.in === "path").map((x) => x.name);
        expect(inPath, `${method} ${p}`).toEqual(named);
      }
    }
    const ids = Object.values(doc.paths).flatMap((ops) => Object.values(ops).map((op) => op.operationId));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("lists every route express serves, with its method", async () => {
    const { createApp } = await import("../../service/app.ts");
    const { createLogger, createMetrics } = await import("../../service/observability.ts");
    const { app } = createApp({
      config: w.config,
      warehouse: w.warehouse,
      background: {} as never,
      logger: createLogger("silent"),
      metrics: createMetrics(() => w.warehouse),
      jwtSecret: "x".repeat(32),
    });
    const served = expressRoutes(app).filter((r) => r !== "get /login");
    expect(served.length).toBeGreaterThan(25);
    const documented = Object.entries(doc.paths).flatMap(([p, ops]) =>
      Object.keys(ops).map((m) => `${m} ${p.replace(/\{(\w+)\}/g, ":$1")}`),
    );
    expect(documented.sort()).toEqual(served.sort());
  });

  it("describes bodies and queries from the validating schemas", () => {
    const decide = doc.paths["/api/v1/approvals/decide"]!.post!;
    const item = dig(
      decide,
      "requestBody",
      "content",
      "application/json",
      "schema",
      "properties",
      "decisions",
      "items",
    );
    expect(dig(item, "properties", "decision", "enum")).toEqual(["approve", "reject", "defer"]);
    expect(dig(item, "additionalProperties")).toBe(false);
    expect(decide["x-cco-role"]).toBe("approver");
    const list = doc.paths["/api/v1/recommendations"]!.get!.parameters!.map((p) => p.name);
    expect(list).toEqual(
      expect.arrayContaining(["status", "provider", "risk", "approval", "q", "sort", "limit", "offset"]),
    );
    expect(doc.paths["/healthz"]!.get!.security).toEqual([]);
    expect(
      dig(doc, "components", "schemas", "Error", "properties", "error", "properties", "code", "enum"),
    ).toContain("rate_limited");
  });
});
