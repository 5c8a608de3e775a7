/** Unit tests: the run form drawn from a flow's JSON Schema, and a submitted form read back into parameters. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { formFromSchema, initialInputValues, issuesToFieldErrors, parseFormValues, relaxRequired, type SchemaForm } from '../../web/lib/json-schema-form';

// The same conversion the worker publishes: zod → JSON Schema.
const schema = z.toJSONSchema(
  z.object({
    station: z.string().min(2).describe('Station code, e.g. DeBilt'),
    days: z.number().int().min(1).max(30).default(7),
    ratio: z.number().optional(),
    mode: z.enum(['fast', 'slow']).default('fast'),
    dryRun: z.boolean().default(false),
    tags: z.array(z.string()).default([]),
    kinds: z.array(z.enum(['rain', 'snow'])),
    date: z.iso.date(),
    at: z.iso.datetime().nullable(),
    options: z.object({ depth: z.number() }).optional(),
    level: z.union([z.literal(1), z.literal(2)]),
  }),
);

function submit(form: SchemaForm, entries: Record<string, string | string[]>) {
  return parseFormValues(form, (name) => {
    const v = entries[name];
    return v === undefined ? [] : Array.isArray(v) ? v : [v];
  });
}

test('each parameter becomes a field of the right kind, with label, description, default and required', () => {
  const form = formFromSchema(schema);
  assert.equal(form.mode, 'fields');
  const byName = Object.fromEntries(form.fields.map((f) => [f.name, f]));
  assert.deepEqual(
    Object.fromEntries(form.fields.map((f) => [f.name, f.kind])),
    { station: 'text', days: 'integer', ratio: 'number', mode: 'select', dryRun: 'boolean', tags: 'list', kinds: 'multiselect', date: 'date', at: 'text', options: 'json', level: 'select' },
  );
  assert.equal(byName.station.description, 'Station code, e.g. DeBilt');
  assert.equal(byName.dryRun.label, 'Dry run');
  assert.equal(byName.station.required, true);
  assert.equal(byName.days.required, false, 'a defaulted field may be left empty');
  assert.equal(byName.days.defaultValue, 7);
  assert.equal(byName.at.nullable, true);
  assert.deepEqual(byName.mode.options.map((o) => o.value), ['fast', 'slow']);
  assert.deepEqual(byName.level.options.map((o) => o.value), ['1', '2']);
});

test('initial values come from the defaults, or from a run being re-run', () => {
  const form = formFromSchema(schema);
  const initial = initialInputValues(form);
  assert.equal(initial['p.days'], '7');
  assert.equal(initial['p.mode'], 'fast');
  assert.equal(initial['p.dryRun'], '');
  const rerun = initialInputValues(form, { station: 'DeBilt', dryRun: true, tags: ['a', 'b'], kinds: ['snow'], options: { depth: 2 } });
  assert.equal(rerun['p.station'], 'DeBilt');
  assert.equal(rerun['p.dryRun'], 'on');
  assert.equal(rerun['p.tags'], 'a\nb');
  assert.deepEqual(rerun['p.kinds'], ['snow']);
  assert.equal(rerun['p.options'], '{\n  "depth": 2\n}');
});

test('a valid form gives typed values; empty optional fields are left out so the flow default applies', () => {
  const form = formFromSchema(schema);
  const { values, errors } = submit(form, {
    'p.station': 'DeBilt',
    'p.days': '',
    'p.mode': 'slow',
    'p.dryRun': 'on',
    'p.tags': 'a\n\n b \n',
    'p.kinds': ['rain', 'snow'],
    'p.date': '2024-05-01',
    'p.at': '',
    'p.options': '{"depth": 3}',
    'p.level': '2',
  });
  assert.deepEqual(errors, {});
  assert.deepEqual(values, {
    station: 'DeBilt',
    mode: 'slow',
    dryRun: true,
    tags: ['a', 'b'],
    kinds: ['rain', 'snow'],
    date: '2024-05-01',
    at: null,
    options: { depth: 3 },
    level: 2,
  });
  // The flow's own schema accepts what the form produced.
  assert.equal(z.object({ level: z.union([z.literal(1), z.literal(2)]) }).safeParse({ level: (values as { level: unknown }).level }).success, true);
});

test('bad input gives one readable error per field and no value for it', () => {
  const form = formFromSchema(schema);
  const { errors } = submit(form, {
    'p.station': '',
    'p.days': '3.5',
    'p.ratio': 'abc',
    'p.mode': 'medium',
    'p.kinds': ['hail'],
    'p.date': '01-05-2024',
    'p.options': '{depth: 3}',
    'p.level': '',
  });
  assert.match(errors.station, /Required/);
  assert.match(errors.days, /whole number/);
  assert.match(errors.ratio, /Enter a number/);
  assert.match(errors.mode, /Choose one of: fast, slow/);
  assert.match(errors.kinds, /“hail” is not one of: rain, snow/);
  assert.match(errors.date, /YYYY-MM-DD/);
  assert.match(errors.options, /Not valid JSON/);
  assert.match(errors.level, /Choose a value/);
  const range = submit(form, { 'p.station': 'x', 'p.days': '31' }).errors;
  assert.match(range.days, /at most 30/);
  assert.match(range.station, /at least 2 characters/);
});

test('server-side issues are placed beside their field', () => {
  const form = formFromSchema(schema);
  const errors = issuesToFieldErrors(form, [
    { path: 'station', message: 'Unknown station' },
    { path: 'tags.1', message: 'Too long' },
    { path: '', message: 'Something else' },
  ]);
  assert.equal(errors.station, 'Unknown station');
  assert.equal(errors.tags, '1: Too long');
  assert.equal(errors[''], 'Something else');
});

test('a flow without parameters has no fields; a non-object schema is edited as JSON', () => {
  assert.equal(formFromSchema({}).mode, 'none');
  assert.equal(formFromSchema(undefined).mode, 'none');
  assert.equal(formFromSchema(z.toJSONSchema(z.object({}))).mode, 'none');
  const json = formFromSchema(z.toJSONSchema(z.array(z.number())));
  assert.equal(json.mode, 'json');
  assert.deepEqual(submit(json, { 'p.parameters': '[1, 2]' }), { values: [1, 2], errors: {} });
  assert.match(submit(json, { 'p.parameters': '' }).errors.parameters, /Required/);
});

test("a deployment's parameters make their fields optional", () => {
  const form = relaxRequired(formFromSchema(schema), ['station', 'kinds']);
  const { errors } = submit(form, { 'p.date': '2024-05-01', 'p.level': '1' });
  assert.equal(errors.station, undefined);
  assert.equal(errors.kinds, undefined);
  assert.equal(formFromSchema(schema).fields.find((f) => f.name === 'station')!.required, true, 'the original is unchanged');
});

test('an emptied list or unchecked group with a default is the empty list; without a default it is left out', () => {
  const form = formFromSchema(
    z.toJSONSchema(
      z.object({
        tags: z.array(z.string()).default(['rain']),
        kinds: z.array(z.enum(['rain', 'snow'])).default(['rain']),
        regions: z.array(z.enum(['north', 'south'])).min(1).default(['north']),
        extra: z.array(z.string()).optional(),
        more: z.array(z.enum(['a', 'b'])).optional(),
      }),
    ),
  );
  // The controls started with the defaults: emptying them is the user's choice, not "the default again".
  const { values, errors } = submit(form, { 'p.tags': '  \n', 'p.kinds': [], 'p.regions': ['south'], 'p.extra': '', 'p.more': [] });
  assert.deepEqual(errors, {});
  assert.deepEqual(values, { tags: [], kinds: [], regions: ['south'] });
  // An emptied group the schema needs filled is refused beside its field, not replaced by its default.
  assert.match(submit(form, { 'p.regions': [] }).errors.regions, /at least 1/);
});
