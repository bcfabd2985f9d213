/**
 * The arima package (ctsa compiled to wasm), loaded so that what its C code prints goes to a
 * buffer instead of stdout: the package's own entry point binds the module's output to
 * console.log, which would corrupt `--json` output with lines such as "non-stationary AR part".
 * The captured lines explain a failed fit.
 */
import { createRequire } from "node:module";
import path from "node:path";
import type ARIMA from "arima";

type ArimaConstructor = typeof ARIMA;
type ArimaOptions = ConstructorParameters<ArimaConstructor>[0];

let loaded: ArimaConstructor | undefined;
const printed: string[] = [];

function arima(): ArimaConstructor {
  if (loaded) return loaded;
  const require = createRequire(import.meta.url);
  // The package exports only its entry point; its loader and wasm sit beside it.
  const dir = path.dirname(require.resolve("arima"));
  const createModule = require(path.join(dir, "wasm", "native-sync.js")) as (options: object) => unknown;
  const wasmBinary = require(path.join(dir, "wrapper", "native.bin.js")) as Uint8Array;
  const load = require(path.join(dir, "load.js")) as (module: unknown) => ArimaConstructor;
  const capture = (line: string) => {
    if (printed.length < 100) printed.push(String(line));
  };
  loaded = load(createModule({ wasmBinary, print: capture, printErr: capture }));
  return loaded;
}

/** Orders of a SARIMA model; `auto` searches them (AutoARIMA) up to the package's maximums. */
export interface ArimaOrder {
  p: number;
  d: number;
  q: number;
  P: number;
  D: number;
  Q: number;
  s: number;
  auto?: boolean;
}

export type ArimaFit = { ok: true; mean: number[]; se: number[] } | { ok: false; reason: string };

/**
 * Fits the model to `values` and predicts `horizon` steps: means and standard errors (the
 * package returns the forecast variance). A fit that throws, prints a failure or returns
 * non-finite numbers is a failed fit with the reason.
 */
export function fitPredict(values: number[], order: ArimaOrder, horizon: number): ArimaFit {
  const Arima = arima();
  printed.length = 0;
  const options: ArimaOptions = { ...order, verbose: false };
  let model: InstanceType<ArimaConstructor> | undefined;
  try {
    model = new Arima(options).train(values);
    const [mean, variance] = model.predict(horizon);
    const se = variance.map((v) => Math.sqrt(v));
    if (mean.length !== horizon || !mean.every(Number.isFinite) || !se.every(Number.isFinite)) {
      return { ok: false, reason: `no finite forecast${printed.length ? ` (${lastLine()})` : ""}` };
    }
    return { ok: true, mean, se };
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  } finally {
    model?.destroy();
  }
}

function lastLine(): string {
  return printed
    .join("")
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(-1)[0]!;
}
