/**
 * The grammemes a template slot or `tfctl inflect` may ask for, in OpenCorpora or Russian names.
 * Pure data: no dictionary needed, so templates validate without loading az.
 */
export type Case = 'nomn' | 'gent' | 'datv' | 'accs' | 'ablt' | 'loct' | 'loc2' | 'gen2';
export type NumberGram = 'sing' | 'plur';

export interface Want {
  case: Case;
  /** Absent: keep the number the noun has (singular for the dictionary form). */
  number?: NumberGram;
}

const CASES: Record<string, Case> = {
  nomn: 'nomn', gent: 'gent', datv: 'datv', accs: 'accs', ablt: 'ablt', loct: 'loct', loc2: 'loc2', gen2: 'gen2',
  им: 'nomn', род: 'gent', рд: 'gent', дат: 'datv', дт: 'datv', вин: 'accs', вн: 'accs',
  твор: 'ablt', тв: 'ablt', пред: 'loct', пр: 'loct', пр2: 'loc2', мест: 'loc2', рд2: 'gen2', род2: 'gen2',
};

const NUMBERS: Record<string, NumberGram> = { sing: 'sing', plur: 'plur', ед: 'sing', мн: 'plur' };

export class GrammemeError extends Error {
  constructor(readonly grammeme: string, message: string) {
    super(message);
  }
}

/**
 * Parses `gent,plur`, `род,мн`, `loc2` … Exactly one case, at most one number, in any order.
 * Throws GrammemeError naming the offending grammeme.
 */
export function parseWant(spec: string): Want {
  let kase: Case | undefined;
  let number: NumberGram | undefined;
  const parts = spec.split(',').map((p) => p.trim().toLowerCase());
  for (const part of parts) {
    if (part === '') throw new GrammemeError(part, `empty grammeme in "${spec}"`);
    const c = CASES[part];
    const n = NUMBERS[part];
    if (c) {
      if (kase) throw new GrammemeError(part, `two cases in "${spec}"`);
      kase = c;
    } else if (n) {
      if (number) throw new GrammemeError(part, `two numbers in "${spec}"`);
      number = n;
    } else {
      throw new GrammemeError(part, `unknown grammeme "${part}"`);
    }
  }
  if (!kase) throw new GrammemeError(spec, `no case in "${spec}" (nomn gent datv accs ablt loct loc2 / им род дат вин твор пред)`);
  return number ? { case: kase, number } : { case: kase };
}

/** Like parseWant, but null instead of throwing (batch mode answers bad lines with an empty line). */
export function tryParseWant(spec: string): Want | null {
  try {
    return parseWant(spec);
  } catch {
    return null;
  }
}
