/**
 * Type declarations for the parts of `az` 0.2.3 that src/text uses. The package ships none.
 * Only what we rely on is declared; az's own docs describe more.
 */
declare module 'az' {
  /** A tag: every grammeme it carries is a truthy property (`tag.NOUN`, `tag.gent`, `tag.CAse === 'loc2'`). */
  export interface AzTag {
    readonly stat: readonly string[];
    readonly flex: readonly string[];
    readonly [grammeme: string]: unknown;
    toString(): string;
  }

  export interface AzParse {
    /** The matched form without any prefix the parser split off — use `toString()` for the full word. */
    readonly word: string;
    readonly tag: AzTag;
    readonly score: number;
    readonly parser?: string;
    readonly stutterCnt: number;
    readonly typosCnt: number;
    /** Dictionary parses only. */
    readonly paradigmIdx?: number;
    readonly formIdx?: number;
    readonly formCnt?: number;
    /** With a number: that form of the paradigm. With grammemes: the FIRST matching form (often a variant). */
    inflect(form: number): AzParse;
    inflect(grammemes: readonly string[] | Record<string, unknown>): AzParse | false;
    normalize(keepPOS?: boolean): AzParse | false;
    toString(): string;
  }

  export interface AzMorphConfig {
    ignoreCase?: boolean;
    replacements?: Record<string, string>;
    stutter?: number;
    typos?: number | 'auto';
    parsers?: string[];
    forceParse?: boolean;
    normalizeScore?: boolean;
  }

  export interface AzMorph {
    (word: string, config?: AzMorphConfig): AzParse[];
    /** The callback may be called more than once (once per failing file, then again on success). */
    init(path: string, callback: (err: Error | null) => void): void;
  }

  /** A DAWG; format 'int' maps a key to an integer (P(tag | word) × 10^6 in p_t_given_w.intdawg). */
  export interface AzDawg {
    findAll(key: string): Array<[string, unknown]>;
  }

  export interface AzModule {
    Morph: AzMorph;
    /** The file loader every dictionary goes through (replaceable: it is looked up on each call). */
    load(url: string, type: 'json' | 'arraybuffer', callback: (err: Error | null, data: unknown) => void): void;
    DAWG: { fromArrayBuffer(data: ArrayBuffer, format: 'int' | 'words' | 'probs'): AzDawg };
  }

  const Az: AzModule;
  export default Az;
}
