/**
 * One forest: trained and used in one call, in a worker thread (train-worker.ts) or here.
 *
 * ml-random-forest bootstraps the whole training set for every tree and its tree's split search
 * is quadratic in the rows (its maxSamples keeps the first N rows, it does not sample). So each
 * tree is trained as a one-tree ml-random-forest on its own seeded bootstrap of `rowsPerTree`
 * rows from the pool (subbagging): the ensemble sees the whole pool while a tree costs rowsPerTree².
 * The trees' separate predictions are returned: their mean is the prediction, their spread the band.
 */
import { RandomForestRegression } from "ml-random-forest";
import { deriveSeed, prng } from "./random.ts";

export interface ForestTask {
  /** Training rows, row-major (rows × features). */
  x: Float64Array<ArrayBuffer>;
  features: number;
  y: Float64Array<ArrayBuffer>;
  /** Rows to predict, row-major. */
  predict: Float64Array<ArrayBuffer>;
  trees: number;
  maxDepth: number;
  rowsPerTree: number;
  seed: number;
}

export interface ForestResult {
  /** One prediction per tree and row to predict, tree-major (trees × rows). */
  treePredictions: Float64Array<ArrayBuffer>;
  /** Mean over the trees of ml-random-forest's normalized importances, per feature. */
  importance: number[];
  seconds: number;
}

/** A leaf holds at least this many rows: peaks are noisy, and one-row leaves chase the noise. */
const MIN_LEAF_ROWS = 5;

const rowsOf = (flat: Float64Array, width: number): number[][] => {
  const out: number[][] = [];
  for (let i = 0; i < flat.length; i += width) out.push(Array.from(flat.subarray(i, i + width)));
  return out;
};

export function trainAndPredict(task: ForestTask): ForestResult {
  const started = performance.now();
  const x = rowsOf(task.x, task.features);
  const y = Array.from(task.y);
  const toPredict = rowsOf(task.predict, task.features);
  const n = x.length;
  const perTree = Math.min(task.rowsPerTree, n);
  const treePredictions = new Float64Array(task.trees * toPredict.length);
  const importance = new Array<number>(task.features).fill(0);
  let importanceTrees = 0;
  for (let t = 0; t < task.trees; t++) {
    const treeSeed = deriveSeed(task.seed, "tree", t);
    const next = prng(treeSeed);
    const sx: number[][] = [];
    const sy: number[] = [];
    for (let i = 0; i < perTree; i++) {
      const j = Math.floor(next() * n);
      sx.push(x[j]!);
      sy.push(y[j]!);
    }
    const tree = new RandomForestRegression({
      nEstimators: 1,
      maxFeatures: 1.0,
      replacement: false,
      useSampleBagging: false, // the bootstrap above is the bagging
      noOOB: true,
      seed: treeSeed,
      treeOptions: { maxDepth: task.maxDepth, minNumSamples: MIN_LEAF_ROWS },
    });
    tree.train(sx, sy);
    if (toPredict.length) treePredictions.set(tree.predict(toPredict), t * toPredict.length);
    // Typed in the library's JavaScript, not its .d.ts. A tree that found no split has none (0 / 0).
    const imp = (tree as unknown as { featureImportance(): number[] }).featureImportance();
    if (imp.every(Number.isFinite)) {
      importanceTrees++;
      imp.forEach((v, i) => {
        importance[i]! += v;
      });
    }
  }
  return {
    treePredictions,
    importance: importance.map((v) => (importanceTrees ? v / importanceTrees : 0)),
    seconds: (performance.now() - started) / 1000,
  };
}
