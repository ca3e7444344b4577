// A tiny JSON Schema checker for the keywords docs/*.schema.json use: $ref (local #/$defs/…), type
// (with integer and null), const, enum, required, properties, additionalProperties: false, items,
// minItems, maxItems, minimum, maximum, oneOf. Returns every error as `path: why`; [] when valid.
type Schema = Record<string, unknown>;

function typeOk(t: string, v: unknown): boolean {
  switch (t) {
    case 'null': return v === null;
    case 'integer': return typeof v === 'number' && Number.isInteger(v);
    case 'number': return typeof v === 'number' && Number.isFinite(v);
    case 'array': return Array.isArray(v);
    case 'object': return typeof v === 'object' && v !== null && !Array.isArray(v);
    default: return typeof v === t;
  }
}

/** Validate `value` against `schema` (root holds $defs). */
export function validateJson(root: Schema, value: unknown, schema: Schema = root, path = '$'): string[] {
  const errs: string[] = [];
  if (typeof schema['$ref'] === 'string') {
    const name = (schema['$ref'] as string).replace(/^#\/\$defs\//, '');
    const target = (root['$defs'] as Record<string, Schema> | undefined)?.[name];
    if (target === undefined) return [`${path}: unknown $ref ${String(schema['$ref'])}`];
    return validateJson(root, value, target, path);
  }
  if (schema['type'] !== undefined) {
    const types = Array.isArray(schema['type']) ? (schema['type'] as string[]) : [schema['type'] as string];
    if (!types.some((t) => typeOk(t, value))) return [`${path}: expected ${types.join('|')}, got ${JSON.stringify(value)?.slice(0, 40)}`];
  }
  if ('const' in schema && value !== schema['const']) errs.push(`${path}: expected ${JSON.stringify(schema['const'])}`);
  if (Array.isArray(schema['enum']) && !(schema['enum'] as unknown[]).includes(value)) errs.push(`${path}: ${JSON.stringify(value)} not in ${JSON.stringify(schema['enum'])}`);
  if (typeof value === 'number') {
    if (typeof schema['minimum'] === 'number' && value < (schema['minimum'] as number)) errs.push(`${path}: ${value} < minimum ${String(schema['minimum'])}`);
    if (typeof schema['maximum'] === 'number' && value > (schema['maximum'] as number)) errs.push(`${path}: ${value} > maximum ${String(schema['maximum'])}`);
  }
  if (Array.isArray(schema['oneOf'])) {
    const ok = (schema['oneOf'] as Schema[]).filter((s) => validateJson(root, value, s, path).length === 0).length;
    if (ok !== 1) errs.push(`${path}: matches ${ok} of oneOf, expected exactly 1`);
  }
  if (typeOk('object', value)) {
    const obj = value as Record<string, unknown>;
    for (const k of (schema['required'] as string[] | undefined) ?? []) if (!(k in obj)) errs.push(`${path}: missing ${k}`);
    const props = (schema['properties'] as Record<string, Schema> | undefined) ?? {};
    for (const [k, v] of Object.entries(obj)) {
      if (props[k] !== undefined) errs.push(...validateJson(root, v, props[k], `${path}.${k}`));
      else if (schema['additionalProperties'] === false) errs.push(`${path}: unexpected property ${k}`);
    }
  }
  if (Array.isArray(value)) {
    if (typeof schema['minItems'] === 'number' && value.length < (schema['minItems'] as number)) errs.push(`${path}: fewer than ${String(schema['minItems'])} items`);
    if (typeof schema['maxItems'] === 'number' && value.length > (schema['maxItems'] as number)) errs.push(`${path}: more than ${String(schema['maxItems'])} items`);
    if (schema['items'] !== undefined) value.forEach((v, i) => errs.push(...validateJson(root, v, schema['items'] as Schema, `${path}[${i}]`)));
  }
  return errs;
}
