// Types of scripts/build.mjs, which is plain JavaScript so that `npm start` runs it without tsx.
export declare const ROOT: string;
export declare const DEFAULT_OUTDIR: string;
/** The bundle's entry file inside the output directory: `node dist/exportwatch.mjs serve`. */
export declare const ENTRY: string;
/** True when `outdir` (default dist/) holds a complete build and nothing it was built from has changed since. */
export declare function isFresh(outdir?: string): boolean;
/** Builds into `outdir` (default dist/; keep it inside this package so that node_modules resolves from it). */
export declare function build(options?: { outdir?: string }): Promise<{ outdir: string; entry: string; ms: number }>;
