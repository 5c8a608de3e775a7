/**
 * Which parameter schemas a flow may declare. The client and the web form check parameters against the JSON
 * Schema the worker publishes (they do not load flow code), and the flow checks them again with its zod
 * schema. The two agree only for what JSON Schema carries: a refinement, a transform, a Date, a coercion or
 * a custom type would let the client start a run the flow then refuses (or refuse one the flow takes). So
 * the worker refuses such a schema at start, and `sluice check` reports it, naming the field and why.
 *
 * @example
 * parameterSchemaProblems('report', z.object({ day: z.date() }))
 * // ['flow report, parameter day: z.date() takes a Date object, which JSON ... ']
 */
import type { z } from 'zod';

/** Enough of zod 4's internal definition to walk a schema; internals are read defensively. */
interface Def {
  type: string;
  coerce?: boolean;
  checks?: { _zod: { def: { check: string } } }[];
  shape?: Record<string, Node>;
  catchall?: Node;
  element?: Node;
  items?: Node[];
  rest?: Node | null;
  options?: Node[];
  left?: Node;
  right?: Node;
  keyType?: Node;
  valueType?: Node;
  innerType?: Node;
  in?: Node;
  out?: Node;
  getter?: () => Node;
}
type Node = { _zod: { def: Def } };

const IN_FLOW = 'check it in the flow\'s code instead (throw an error saying what is wrong)';

const CHECKS: Record<string, string> = {
  custom: `.refine()/.superRefine()/.check() cannot be checked before a run starts (JSON Schema cannot carry it), so the client and the web form would start runs the flow refuses; express it with built-in checks (min, max, regex, enum, …) or ${IN_FLOW}`,
  overwrite: '.trim()/.toLowerCase()/.toUpperCase()/.overwrite() changes the value, which JSON Schema cannot say, so the client would check another value than the flow; normalise it in the flow\'s code instead',
};

const TYPES: Record<string, string> = {
  date: 'z.date() takes a Date object, which JSON (how Temporal stores a run\'s parameters) cannot carry; use z.iso.date() or z.iso.datetime() (a string) and make the Date in the flow',
  transform: `.transform() gives the flow another value than the client checked; take the plain value and convert it in the flow's code`,
  catch: '.catch() accepts any input (it replaces a wrong one), which JSON Schema cannot say; use .default() or check the value in the flow',
  custom: `z.custom()/z.instanceof() cannot be described in JSON Schema; ${IN_FLOW}`,
  success: 'z.success() cannot be described in JSON Schema',
  bigint: 'z.bigint() cannot be carried by JSON; use z.number().int() or a string',
  symbol: 'z.symbol() cannot be carried by JSON',
  undefined: 'z.undefined() cannot be carried by JSON; use .optional()',
  void: 'z.void() cannot be carried by JSON; use .optional()',
  map: 'z.map() cannot be carried by JSON; use z.record()',
  set: 'z.set() cannot be carried by JSON; use z.array()',
  nan: 'z.nan() cannot be carried by JSON',
  promise: 'z.promise() cannot be a parameter',
  function: 'z.function() cannot be a parameter',
  file: 'z.file() cannot be a parameter',
};

/** Every part of `schema` the client could not check as the flow does; one message per field and reason. */
export function parameterSchemaProblems(flow: string, schema: z.ZodType | undefined): string[] {
  if (!schema) return [];
  const problems = new Set<string>();
  const seen = new Set<Node>();
  const say = (path: string, why: string) => problems.add(`flow ${flow}, parameter ${path || '(parameters)'}: ${why}`);

  const walk = (node: Node | undefined | null, path: string): void => {
    const def = node?._zod?.def;
    if (!node || !def || seen.has(node)) return;
    seen.add(node);
    const at = (key: string) => (path ? `${path}.${key}` : key);
    if (def.coerce) say(path, `z.coerce accepts values of other types (e.g. "5" for 5) that the client and the web form refuse; declare the plain type (z.number(), z.boolean(), …)`);
    for (const check of def.checks ?? []) {
      const why = CHECKS[check?._zod?.def?.check];
      if (why) say(path, why);
    }
    const why = TYPES[def.type];
    if (why) say(path, why);
    switch (def.type) {
      case 'object':
        for (const [key, child] of Object.entries(def.shape ?? {})) walk(child, at(key));
        walk(def.catchall, at('*'));
        break;
      case 'array':
        walk(def.element, `${path}[]`);
        break;
      case 'tuple':
        (def.items ?? []).forEach((item, i) => walk(item, `${path}[${i}]`));
        walk(def.rest, `${path}[]`);
        break;
      case 'union':
        for (const option of def.options ?? []) walk(option, path);
        break;
      case 'intersection':
        walk(def.left, path);
        walk(def.right, path);
        break;
      case 'record':
        walk(def.keyType, path);
        walk(def.valueType, at('*'));
        break;
      case 'pipe':
        if (def.in?._zod.def.type === 'transform') say(path, `z.preprocess() gives the flow another value than the client checked; take the plain value and convert it in the flow's code`);
        else if (def.out?._zod.def.type !== 'transform') say(path, `.pipe() checks the value again with a second schema that JSON Schema cannot carry; ${IN_FLOW}`);
        if (def.in?._zod.def.type !== 'transform') walk(def.in, path);
        walk(def.out, path); // a .transform() is reported as one
        break;
      case 'lazy':
        walk(def.getter?.(), path);
        break;
      default:
        walk(def.innerType, path); // optional, nullable, default, prefault, readonly, nonoptional, catch
    }
  };
  walk(schema as unknown as Node, '');
  return [...problems];
}
