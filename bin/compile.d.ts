// Types of bin/compile.js (plain JavaScript: it runs before anything is compiled).
export declare const ROOT: string;
/** True when dist/ is missing or older than a source file, a source folder, or the compiler. */
export declare function isStale(root?: string): boolean;
/** Compile every source to dist/ (tree preserved, `.ts` specifiers as `.js`); returns the number of sources. */
export declare function compile(root?: string): Promise<number>;
/** Compile when stale (or forced), one process at a time; true when it compiled. */
export declare function ensureCompiled(options?: { root?: string; force?: boolean }): Promise<boolean>;
/** esbuild's errors as `file:line:column: message` lines. */
export declare function describeBuildError(error: unknown): string;
