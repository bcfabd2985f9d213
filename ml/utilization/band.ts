/**
 * Predictions from the trees' separate outputs: the mean is the prediction, the 10th-90th
 * percentile of the trees the raw band. Trees trained on the same history agree more than the
 * future varies, so the band is widened by how far held-out outcomes fell outside it (as a share
 * of the prediction: a VM at 60% misses by more points than one at 3%), each side to its 90th
 * percentile: an 80% band.
 */
import { quantileSorted } from "./features.ts";

export interface Band {
  point: number;
  low: number;
  high: number;
}

export interface Widening {
  /** How far above the raw band's top, as a share of the prediction, 90% of outcomes stay. */
  up: number;
  down: number;
}

export const NO_WIDENING: Widening = { up: 0, down: 0 };

const clampPct = (v: number) => Math.max(0, Math.min(100, v));
const scaleOf = (point: number) => Math.max(point, 1);

/** Per row: the base (the naive the trees predict a change from) plus each tree's change. */
export function bandsFromTrees(treePredictions: Float64Array, trees: number, base: number[]): Band[] {
  const n = base.length;
  const out: Band[] = [];
  const values = new Float64Array(trees);
  for (let r = 0; r < n; r++) {
    for (let t = 0; t < trees; t++) values[t] = base[r]! + treePredictions[t * n + r]!;
    const mean = values.reduce((a, b) => a + b, 0) / trees;
    values.sort();
    // One tree far off can pull the mean outside the 10th-90th percentile: the band holds the prediction.
    out.push({
      point: clampPct(mean),
      low: clampPct(Math.min(mean, quantileSorted(values, 0.1))),
      high: clampPct(Math.max(mean, quantileSorted(values, 0.9))),
    });
  }
  return out;
}

/** The widening that would have kept 90% of these held-out outcomes under (and over) their band. */
export function fitWidening(outcomes: { band: Band; actual: number }[]): Widening {
  if (!outcomes.length) return NO_WIDENING;
  const side = (f: (o: { band: Band; actual: number }) => number) =>
    Math.max(
      0,
      quantileSorted(
        outcomes.map(f).sort((a, b) => a - b),
        0.9,
      ),
    );
  return {
    up: side((o) => (o.actual - o.band.high) / scaleOf(o.band.point)),
    down: side((o) => (o.band.low - o.actual) / scaleOf(o.band.point)),
  };
}

export function widen(b: Band, w: Widening): Band {
  const s = scaleOf(b.point);
  return { point: b.point, low: clampPct(b.low - w.down * s), high: clampPct(b.high + w.up * s) };
}
