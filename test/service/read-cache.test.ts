import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ReadCache } from "../../service/http/read-cache.ts";
import { call, login, serviceWorld, type World } from "./world.ts";

describe("the read cache", () => {
  it("computes a key once per TTL however many ask meanwhile, and keeps no failure", async () => {
    const cache = new ReadCache(1000);
    let computed = 0;
    const compute = async () => {
      computed++;
      await new Promise((resolve) => setTimeout(resolve, 20));
      return { n: computed, at: "2026-11-30 21:52:50.619+00" };
    };
    const answers = await Promise.all([1, 2, 3].map(() => cache.text("/a", compute, 0)));
    expect(answers).toEqual(Array(3).fill('{"n":1,"at":"2026-11-30T21:52:50.619Z"}'));
    expect(await cache.text("/a", compute, 999)).toBe(answers[0]);
    expect(computed).toBe(1);
    await expect(cache.text("/b", () => Promise.reject(new Error("boom")), 0)).rejects.toThrow("boom");
    expect(await cache.text("/b", async () => "fine", 1)).toBe('"fine"');
  });

  it("answers a recent text while it computes the next, and computes at once after a change", async () => {
    const cache = new ReadCache(1000);
    let n = 0;
    let release: () => void = () => undefined;
    const slow = () => new Promise<number>((resolve) => (release = () => resolve(++n)));
    const first = cache.text("/a", slow, 0);
    release();
    expect(await first).toBe("1");
    // Past its TTL: the kept text at once, the next one computed behind it…
    expect(await cache.text("/a", slow, 1500)).toBe("1");
    expect(await cache.text("/a", slow, 1600)).toBe("1");
    release();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(await cache.text("/a", slow, 1700)).toBe("2");
    // …but past twice the TTL, or after a change, nothing kept is answered.
    const late = cache.text("/a", slow, 4000);
    release();
    expect(await late).toBe("3");
    const behind = cache.text("/a", slow, 5500);
    cache.clear();
    release();
    expect(await behind).toBe("3");
    await new Promise((resolve) => setTimeout(resolve, 0));
    const fresh = cache.text("/a", slow, 5600);
    release();
    expect(await fresh).toBe("5");
  });
});

describe("reads through the service", () => {
  let w: World;
  let token: string;
  beforeAll(async () => {
    w = await serviceWorld("service:\n  read_cache_ms: 60000\n");
    token = await login(w.url, "alice");
  });
  afterAll(() => w.close());

  const state = async () =>
    (await call(w.url, "GET", "/api/v1/recommendations/rec-low-1", { token })).body.approval.state as string;

  it("reuse an answer until a change through the service, then read it at once", async () => {
    expect(await state()).toBe("waiting");
    // Written behind the service's back: not seen while the answer is kept…
    await w.warehouse.run(
      "insert into ops.approvals values ('x1', 'rec-low-1', (select version from ops.approval_queue where recommendation_id = 'rec-low-1'), 'reject', 'someone', now(), null, now() + interval 7 day, false, null, 'test', null)",
    );
    expect(await state()).toBe("waiting");
    // …a decision through the API is read back by the next request.
    const r = await call(w.url, "POST", "/api/v1/approvals/decide", {
      token,
      body: { decisions: [{ recommendation_id: "rec-low-1", decision: "approve" }] },
    });
    expect(r.body.results[0].ok).toBe(true);
    expect(await state()).toBe("approved");
  });

  it("never shares what depends on the caller", async () => {
    const vera = await login(w.url, "vera");
    expect((await call(w.url, "GET", "/api/v1/me", { token })).body.username).toBe("alice");
    expect((await call(w.url, "GET", "/api/v1/me", { token: vera })).body.username).toBe("vera");
  });
});
