import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

/**
 * Validates response bodies against X's own OpenAPI document, cut down to the operations the sandbox
 * serves (test/fixtures/xapi/openapi.json; its README gives source and licence). The document is
 * OpenAPI 3.0: `nullable` and `discriminator` are not JSON Schema, so ajv runs with strict mode off,
 * and the numeric formats X uses (int32…) are accepted as annotations.
 */
const DOC = fileURLToPath(new URL('../fixtures/xapi/openapi.json', import.meta.url));
const ID = 'https://x.local/openapi.json';

let ajv: Ajv | undefined;
const cache = new Map<string, ValidateFunction>();

function instance(): Ajv {
  if (ajv) return ajv;
  // Ajv resolves $refs into $defs, not into arbitrary OpenAPI sections: move the schemas there.
  const text = readFileSync(DOC, 'utf8').replaceAll('"#/components/schemas/', '"#/$defs/');
  const doc = JSON.parse(text) as { components: { schemas: Record<string, unknown> } };
  // Ajv 8 understands OpenAPI's `nullable` itself; `discriminator` is ignored in non-strict mode.
  const a = new Ajv({ strict: false, allErrors: true, validateSchema: false });
  const addFormats = (addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule;
  (addFormats as unknown as (x: Ajv) => void)(a);
  for (const f of ['int32', 'int64', 'double', 'float', 'binary', 'byte']) a.addFormat(f, true);
  a.addSchema({ $id: ID, $defs: doc.components.schemas });
  ajv = a;
  return a;
}

export function validator(schemaName: string): ValidateFunction {
  let v = cache.get(schemaName);
  if (!v) {
    v = instance().compile({ $ref: `${ID}#/$defs/${schemaName}` });
    cache.set(schemaName, v);
  }
  return v;
}

/** Throws with ajv's errors when `body` does not match components.schemas[schemaName]. */
export function validateAgainst(schemaName: string, body: unknown): void {
  const v = validator(schemaName);
  if (!v(body)) {
    throw new Error(`${schemaName}: ${JSON.stringify(v.errors?.slice(0, 5))}\nbody: ${JSON.stringify(body).slice(0, 500)}`);
  }
}
