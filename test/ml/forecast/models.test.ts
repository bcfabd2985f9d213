import { describe, expect, it } from "vitest";
import { divergence } from "../../../ml/forecast/models.ts";

describe("a fitted forecast", () => {
  const series = [100, 110, 95, 105, 100, 90, 120];
  it("is used when its centre and its interval stay within reach of the series", () => {
    expect(divergence(series, true, [Math.log(110), Math.log(115)], [0.1, 0.2])).toBeNull();
  });
  it("is refused when its centre runs away", () => {
    expect(divergence(series, true, [Math.log(110), Math.log(5000)], [0.1, 0.1])).toBe("diverging forecast");
    expect(divergence(series, false, [110, -5000], [1, 1])).toBe("diverging forecast");
  });
  it("is refused when its interval explodes around a sane centre (a short series' fit)", () => {
    expect(divergence(series, true, [Math.log(110), Math.log(110)], [0.1, 14])).toBe("diverging interval");
    expect(divergence(series, false, [110, 110], [1, 8000])).toBe("diverging interval");
  });
});
