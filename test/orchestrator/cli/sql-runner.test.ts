import { describe, expect, it } from "vitest";
import { explainAnalyzeTarget, splitStatements } from "../../../orchestrator/cli/sql-runner.ts";

describe("splitStatements", () => {
  it("splits at semicolons outside strings, quoted names and comments, dropping empty statements", () => {
    expect(splitStatements("select 1; select 2;")).toEqual(["select 1", "select 2"]);
    expect(splitStatements("select ';' as a; select \"x;y\" from t")).toEqual([
      "select ';' as a",
      'select "x;y" from t',
    ]);
    expect(splitStatements("select 'it''s; fine'; select $$a;b$$, $tag$c;d$tag$")).toEqual([
      "select 'it''s; fine'",
      "select $$a;b$$, $tag$c;d$tag$",
    ]);
    expect(splitStatements("select E'a\\';b'; select 2")).toEqual(["select E'a\\';b'", "select 2"]);
    expect(splitStatements("-- one; two\nselect 1; /* a; /* nested; */ b; */ select 2; ;  -- done;")).toEqual(
      ["-- one; two\nselect 1", "/* a; /* nested; */ b; */ select 2"],
    );
    expect(splitStatements("  ;  -- nothing\n ; /* */")).toEqual([]);
  });
});

describe("explainAnalyzeTarget", () => {
  it("returns the statement an EXPLAIN ANALYZE runs, and nothing for a plain EXPLAIN", () => {
    expect(explainAnalyzeTarget("explain analyze copy t to 'x'")?.trim()).toBe("copy t to 'x'");
    expect(explainAnalyzeTarget("EXPLAIN ANALYSE delete from t")?.trim()).toBe("delete from t");
    expect(explainAnalyzeTarget("explain (analyze, format json) drop table t")?.trim()).toBe("drop table t");
    expect(explainAnalyzeTarget("/* why */ explain -- see\n analyze select 1")?.trim()).toBe("select 1");
    expect(explainAnalyzeTarget("explain select 1")).toBeUndefined();
    expect(explainAnalyzeTarget("explain (format json) copy t to 'x'")).toBeUndefined();
  });
});
