/** Which errors a stage is retried on, the backoff between attempts, and the retry loop (its sleep injected). */
import { describe, expect, it } from "vitest";
import { ProviderError } from "../../actions/providers/adapter.ts";
import { CheckFailedError, InputError, UsageError } from "../../core/errors.ts";
import { backoffMs, isTransient, withRetry } from "../../orchestrator/retry.ts";

const withCode = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:9`), { code });

describe("isTransient", () => {
  it.each([
    ["a reset connection", withCode("ECONNRESET")],
    ["a timeout", withCode("ETIMEDOUT")],
    ["a DNS hiccup", withCode("EAI_AGAIN")],
    ["a refused connection", withCode("ECONNREFUSED")],
    [
      "fetch's wrapper around a refused connection",
      new TypeError("fetch failed", { cause: withCode("ECONNREFUSED") }),
    ],
    ["an HTTP 429 (status)", Object.assign(new Error("Too Many Requests"), { status: 429 })],
    [
      "an HTTP 503 (AWS SDK metadata)",
      Object.assign(new Error("Service Unavailable"), { $metadata: { httpStatusCode: 503 } }),
    ],
    ["an HTTP 503 (Azure statusCode)", Object.assign(new Error("busy"), { statusCode: 503 })],
    ["Google's numeric code 429", Object.assign(new Error("quota"), { code: 429 })],
    ["AWS Throttling", Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" })],
    ["S3 SlowDown", Object.assign(new Error("Please reduce your request rate."), { name: "SlowDown" })],
    [
      "EC2 RequestLimitExceeded",
      Object.assign(new Error("Request limit exceeded."), { code: "RequestLimitExceeded" }),
    ],
    [
      "BigQuery rateLimitExceeded",
      Object.assign(new Error("Exceeded rate limits"), { errors: [{ reason: "rateLimitExceeded" }] }),
    ],
    ["a throttled provider call", new ProviderError("throttled", "slow down")],
    ["a provider timeout", new ProviderError("timeout", "no answer")],
    ["a wrapped transient cause", new CheckFailedError("ingest failed", { cause: withCode("ETIMEDOUT") })],
    [
      "a loader's error naming the network code in its message",
      new InputError("s3://billing/exports", "cannot read from S3: Error: connect ECONNREFUSED 127.0.0.1:9"),
    ],
    [
      "a loader's error whose SDK cause is throttled (HTTP 503, SlowDown)",
      new InputError(
        "s3://billing/exports",
        "cannot read from S3: SlowDown: Please reduce your request rate",
        {},
        {
          cause: Object.assign(new Error("Please reduce your request rate"), {
            name: "SlowDown",
            $metadata: { httpStatusCode: 503 },
          }),
        },
      ),
    ],
  ])("retries %s", (_what, error) => {
    expect(isTransient(error)).toBe(true);
  });

  it.each([
    ["bad input", new InputError("x.csv", "no currency column")],
    ["a usage error", new UsageError("unknown stage")],
    ["a failed check", new CheckFailedError("2 tests failed")],
    ["a missing file", withCode("ENOENT")],
    ["an HTTP 403", Object.assign(new Error("Forbidden"), { status: 403 })],
    ["an HTTP 500", Object.assign(new Error("Internal"), { status: 500 })],
    ["a denied provider call", new ProviderError("denied", "not allowed")],
    ["a bug", new TypeError("cannot read properties of undefined")],
    ["a string", "boom"],
    ["nothing", undefined],
  ])("fails at once on %s", (_what, error) => {
    expect(isTransient(error)).toBe(false);
  });
});

describe("backoffMs", () => {
  it("doubles each attempt, the upper half random", () => {
    expect([1, 2, 3, 4].map((n) => backoffMs(n, 1000, () => 0))).toEqual([500, 1000, 2000, 4000]);
    expect([1, 2, 3, 4].map((n) => backoffMs(n, 1000, () => 1))).toEqual([1000, 2000, 4000, 8000]);
    expect(backoffMs(3, 1000, () => 0.5)).toBe(3000);
  });
});

describe("withRetry", () => {
  const recorder = () => {
    const waits: number[] = [];
    return { waits, sleep: async (ms: number) => void waits.push(ms) };
  };

  it("retries transient failures with growing waits until it succeeds, counting attempts", async () => {
    const { waits, sleep } = recorder();
    const attempts: number[] = [];
    let calls = 0;
    const result = await withRetry(
      async () => {
        calls++;
        if (calls < 3) throw withCode("ECONNRESET");
        return "done";
      },
      { attempts: 5, baseDelayMs: 100, sleep, random: () => 1, onAttempt: (n) => attempts.push(n) },
    );
    expect(result).toBe("done");
    expect(attempts).toEqual([1, 2, 3]);
    expect(waits).toEqual([100, 200]);
  });

  it("gives up after the configured attempts with the last error", async () => {
    const { waits, sleep } = recorder();
    let calls = 0;
    const error = Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" });
    await expect(
      withRetry(
        async () => {
          calls++;
          throw error;
        },
        { attempts: 3, baseDelayMs: 10, sleep, random: () => 0 },
      ),
    ).rejects.toBe(error);
    expect(calls).toBe(3);
    expect(waits).toEqual([5, 10]);
  });

  it("does not retry an error that would fail the same way", async () => {
    const { waits, sleep } = recorder();
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw new InputError("x.csv", "bad row");
        },
        { attempts: 5, baseDelayMs: 10, sleep },
      ),
    ).rejects.toThrow("bad row");
    expect([calls, waits]).toEqual([1, []]);
  });

  it("stops retrying once aborted", async () => {
    const controller = new AbortController();
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          controller.abort("SIGTERM");
          throw withCode("ETIMEDOUT");
        },
        { attempts: 5, baseDelayMs: 10, sleep: async () => undefined, signal: controller.signal },
      ),
    ).rejects.toThrow("ETIMEDOUT");
    expect(calls).toBe(1);
  });
});
