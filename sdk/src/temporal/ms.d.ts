// The `ms` package ships ESM-only types (dist/index.d.ts, no types beside its CommonJS build), which neither this
// package's CommonJS build nor the repository's bundler-mode typecheck finds: its one call, typed here.
declare module 'ms' {
  export default function ms(value: string): number;
}
