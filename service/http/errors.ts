/**
 * Every error the API answers has one shape: {"error": {code, message, details?}, request_id},
 * with a code from a short fixed list. Known failures (validation, a refused rule, a usage error
 * of the underlying command) say what to change; anything else is a bug, answered as `internal`
 * with the request id to find it in the log, never its stack.
 */
import type { ErrorRequestHandler, Request, RequestHandler, Response } from "express";
import { z } from "zod";
import { CcoError, UsageError } from "../../core/errors.ts";

export const ERROR_STATUS = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
} as const;
export type ErrorCode = keyof typeof ERROR_STATUS;

export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

export const errorBodySchema = z.object({
  error: z.object({
    code: z.enum(Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]]),
    message: z.string(),
    details: z.unknown().optional(),
  }),
  request_id: z.string(),
});

export function sendError(req: Request, res: Response, error: ApiError): void {
  res.status(error.status).json({
    error: {
      code: error.code,
      message: error.message,
      ...(error.details === undefined ? {} : { details: error.details }),
    },
    request_id: req.id,
  });
}

/** Zod issues as the details of a 400: where (body, query, params, then the path) and what. */
export function validationError(where: "body" | "query" | "params", error: z.ZodError): ApiError {
  const issues = error.issues.map((i) => ({
    in: where,
    path: i.path.map((p) => (typeof p === "symbol" ? String(p) : p)),
    code: i.code,
    message: i.message,
  }));
  const first = issues[0]!;
  const at = first.path.length ? `${where}.${first.path.join(".")}` : where;
  return new ApiError("bad_request", `${at}: ${first.message}`, { issues });
}

/** What an error becomes on the wire; `log` is called for the ones that are bugs. */
export function toApiError(error: unknown, log: (error: unknown) => void): ApiError {
  if (error instanceof ApiError) return error;
  const e = error as { type?: string; status?: number; message?: string };
  // body-parser's errors: a body that is not JSON, too large, or in a charset it does not read.
  if (e?.type === "entity.parse.failed")
    return new ApiError("bad_request", `the body is not valid JSON: ${e.message}`);
  if (e?.type === "entity.too.large")
    return new ApiError(
      "payload_too_large",
      "the body is larger than this service accepts (service.max_body_kb)",
    );
  if (e?.type && typeof e.status === "number" && e.status >= 400 && e.status < 500)
    return new ApiError("bad_request", e.message ?? "bad request");
  if (error instanceof UsageError) return new ApiError("bad_request", error.message);
  if (error instanceof CcoError) {
    log(error);
    return new ApiError("internal", error.message);
  }
  log(error);
  return new ApiError("internal", "internal error: the service log has the details under this request id");
}

export function errorHandler(log: (req: Request, error: unknown) => void): ErrorRequestHandler {
  return (error, req, res, next) => {
    if (res.headersSent) return next(error);
    sendError(
      req,
      res,
      toApiError(error, (e) => log(req, e)),
    );
  };
}

export const notFound: RequestHandler = (req, res) => {
  sendError(req, res, new ApiError("not_found", `no route ${req.method} ${req.originalUrl.split("?")[0]}`));
};
