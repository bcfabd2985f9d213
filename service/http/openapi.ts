/**
 * The OpenAPI 3.1 document of the routes as declared (route.ts): paths, who may call each, the
 * query and path parameters and the bodies from the same zod schemas that validate them
 * (z.toJSONSchema), and the one error shape every failure has.
 */
import { z } from "zod";
import { ROLES } from "../auth/roles.ts";
import { ERROR_STATUS, errorBodySchema } from "./errors.ts";
import type { RouteSpec } from "./route.ts";

const schemaOf = (schema: z.ZodType, io: "input" | "output") => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as Record<
    string,
    unknown
  >;
  return rest;
};

/** The object schema under an optional wrapper, with which keys must be given. */
function objectParts(schema: z.ZodType): { properties: Record<string, object>; required: string[] } {
  const json = schemaOf(schema, "input") as {
    properties?: Record<string, object>;
    required?: string[];
    anyOf?: { properties?: Record<string, object>; required?: string[] }[];
  };
  const object = json.properties ? json : (json.anyOf?.find((s) => s.properties) ?? {});
  return { properties: object.properties ?? {}, required: object.required ?? [] };
}

function operation(spec: RouteSpec) {
  const parameters: object[] = [];
  for (const [where, schema] of [
    ["query", spec.query],
    ["path", spec.params],
  ] as const) {
    if (!schema) continue;
    const { properties, required } = objectParts(schema);
    for (const [name, s] of Object.entries(properties))
      parameters.push({ name, in: where, required: where === "path" || required.includes(name), schema: s });
  }
  const status = String(spec.status ?? 200);
  const errors = Object.fromEntries(
    [400, 401, 403, 404, 409, 413, 429, 500]
      .filter((code) => spec.access !== "public" || ![401, 403].includes(code))
      .map((code) => [String(code), { $ref: "#/components/responses/Error" }]),
  );
  return {
    operationId: `${spec.method}${spec.path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? "").toUpperCase())}`,
    summary: spec.summary,
    description: `${spec.description ? `${spec.description}\n\n` : ""}Access: ${spec.access === "public" ? "public" : `${spec.access} or above`}.`,
    tags: [spec.tag],
    ...(spec.access === "public" ? { security: [] } : {}),
    "x-cco-role": spec.access,
    ...(parameters.length ? { parameters } : {}),
    ...(spec.body
      ? {
          requestBody: {
            required: !spec.body.safeParse(undefined).success,
            content: { "application/json": { schema: schemaOf(spec.body, "input") } },
          },
        }
      : {}),
    responses: {
      [status]: {
        description: status === "204" ? "done, no content" : "success",
        ...(status !== "204"
          ? {
              content: {
                "application/json": { schema: spec.response ? schemaOf(spec.response, "output") : {} },
              },
            }
          : {}),
      },
      ...errors,
    },
  };
}

export function openApiDocument(routes: readonly RouteSpec[]) {
  const paths: Record<string, Record<string, object>> = {};
  for (const spec of routes) {
    const path = spec.path.replace(/:([A-Za-z_]+)/g, "{$1}");
    paths[path] ??= {};
    paths[path][spec.method] = operation(spec);
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Cloud Cost Optimizer API",
      version: "1",
      description: `Roles, lowest first: ${ROLES.join(" < ")}. Errors: {"error": {code, message, details?}, request_id}, codes ${Object.entries(
        ERROR_STATUS,
      )
        .map(([code, status]) => `${code} (${status})`)
        .join(
          ", ",
        )}. A request signed in by the cco_session cookie that changes something must send x-cco-csrf: 1.`,
    },
    servers: [{ url: "/" }],
    security: [{ bearer: [] }, { session: [] }],
    tags: [...new Set(routes.map((r) => r.tag))].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: {
        bearer: {
          type: "http",
          scheme: "bearer",
          description: "An API token (cco_<id>_<secret>) or the session token the login returns",
        },
        session: { type: "apiKey", in: "cookie", name: "cco_session" },
      },
      schemas: { Error: schemaOf(errorBodySchema, "output") },
      responses: {
        Error: {
          description: "an error, in the one shape every error has",
          headers: { "x-request-id": { schema: { type: "string" } } },
          content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
        },
      },
    },
  };
}
