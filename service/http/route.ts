/**
 * One way to declare an API route: its method and path, who may call it, zod schemas for its
 * query, path parameters and body (unknown keys refused, 400 naming the path), and the
 * handler. The same declarations make the OpenAPI document (openapi.ts), so the document lists
 * exactly the routes that exist.
 */
import type { Express, Request, Response } from "express";
import type { z } from "zod";
import { atLeast, type Role } from "../auth/roles.ts";
import { ApiError, validationError } from "./errors.ts";
import type { ReadCache } from "./read-cache.ts";
import type { Auth } from "./request.ts";

export type Method = "get" | "post" | "patch" | "delete";

export interface RouteSpec {
  method: Method;
  /** Express syntax: /api/v1/actions/:id */
  path: string;
  summary: string;
  tag: string;
  /** The lowest role allowed; "public": no sign-in. */
  access: Role | "public";
  query?: z.ZodType;
  params?: z.ZodType;
  body?: z.ZodType;
  /** A GET whose answer is the same for every caller allowed it: served through the read cache. */
  shared?: boolean;
  /** What a success returns (documentation), and its status (default 200; 204 when the handler returns nothing). */
  response?: z.ZodType;
  status?: number;
  description?: string;
}

type Out<T> = T extends z.ZodType ? z.output<T> : undefined;

export interface RouteInput<S extends RouteSpec> {
  query: Out<S["query"]>;
  params: Out<S["params"]>;
  body: Out<S["body"]>;
  /** Who called (undefined only on public routes). */
  auth: S["access"] extends "public" ? Auth | undefined : Auth;
  req: Request;
  res: Response;
}

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** Sign-in, role and the CSRF rule for cookie sessions; throws the 401 / 403 to answer. */
export function checkAccess(req: Request, access: Role | "public"): void {
  if (access === "public") return;
  const auth = req.auth;
  if (!auth)
    throw new ApiError(
      "unauthorized",
      req.authRefused ?? "sign in first: POST /api/v1/auth/login, or send Authorization: Bearer <token>",
    );
  if (!atLeast(auth.role, access))
    throw new ApiError(
      "forbidden",
      `${req.method} ${req.path} needs the role ${access} or above; ${auth.username} is ${auth.role}`,
    );
  if (UNSAFE.has(req.method) && auth.cookie && req.get("x-cco-csrf") !== "1")
    throw new ApiError("forbidden", "a request signed in by cookie must send the header x-cco-csrf: 1");
}

export class Api {
  readonly routes: RouteSpec[] = [];

  constructor(
    private readonly app: Express,
    private readonly cache?: ReadCache,
  ) {}

  /** A route served outside route() (health, metrics, this document), listed in the document all the same. */
  document(spec: RouteSpec): void {
    this.routes.push(spec);
  }

  route<const S extends RouteSpec>(
    spec: S,
    handler: (input: RouteInput<S>) => unknown | Promise<unknown>,
  ): void {
    this.routes.push(spec);
    this.app[spec.method](spec.path, async (req: Request, res: Response) => {
      checkAccess(req, spec.access);
      const parse = (where: "query" | "params" | "body", schema: z.ZodType | undefined, value: unknown) => {
        if (!schema) return undefined;
        const result = schema.safeParse(value);
        if (!result.success) throw validationError(where, result.error);
        return result.data;
      };
      const input = {
        query: parse("query", spec.query, { ...req.query }),
        params: parse("params", spec.params, { ...req.params }),
        body: parse("body", spec.body, req.body),
        auth: req.auth,
        req,
        res,
      } as RouteInput<S>;
      // A body or a query where none is expected is refused like an unknown key.
      if (!spec.body && req.body !== undefined && Object.keys(req.body ?? {}).length)
        throw new ApiError("bad_request", `${spec.method.toUpperCase()} ${spec.path} takes no body`);
      if (!spec.query && Object.keys(req.query).length)
        throw new ApiError(
          "bad_request",
          `${spec.method.toUpperCase()} ${spec.path} takes no query parameters`,
        );
      if (spec.shared && spec.method === "get" && this.cache && this.cache.ttlMs > 0) {
        const text = await this.cache.text(req.originalUrl, async () => handler(input));
        res
          .status(spec.status ?? 200)
          .type("application/json")
          .send(text);
        return;
      }
      const result = await handler(input);
      if (res.headersSent) return;
      if (result === undefined) res.status(spec.status ?? 204).end();
      else res.status(spec.status ?? 200).json(result);
    });
  }
}
