// The `sluice` package's public surface, reviewed on purpose: API Extractor writes one report per public entry
// (sdk/api/*.api.md, committed) from the built declarations, and `checkApiReports` says whether the built package
// still matches them. A surface change then shows in review as a diff of those files, never by accident.
//   npm run api:update     builds the package and rewrites sdk/api/ (run it when you change the surface on purpose)
// test/package/api-report.test.ts runs the check in the suite.
import { CompilerState, Extractor, ExtractorConfig, ExtractorLogLevel, type IConfigFile } from '@microsoft/api-extractor';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const SDK = resolve(import.meta.dirname, '../sdk');
export const API_FOLDER = join(SDK, 'api');

/** The public entries (sdk/package.json `exports` less `./internal/*`) and the report each has. */
export const PUBLIC_ENTRIES = [
  { entry: 'sluice', declarations: 'lib/index.d.ts', report: 'sluice.api.md' },
  { entry: 'sluice/flow', declarations: 'lib/flow.d.ts', report: 'sluice-flow.api.md' },
  { entry: 'sluice/client', declarations: 'lib/client/index.d.ts', report: 'sluice-client.api.md' },
  { entry: 'sluice/testing', declarations: 'lib/testing/index.d.ts', report: 'sluice-testing.api.md' },
] as const;

export interface ReportCheck {
  report: string;
  /** Whether the committed report matches the built package. */
  same: boolean;
  /** API Extractor's errors and warnings about this entry (a type it uses but does not export, …). */
  messages: string[];
  /** The report's lines the built package no longer has (`- …`) and those it has anew (`+ …`). */
  changes: string[];
}

/** The lines only one of two reports has: enough to say what changed without a diff tool. */
function changedLines(before: string, after: string): string[] {
  const old = new Set(before.split('\n'));
  const now = new Set(after.split('\n'));
  return [...[...old].filter((l) => l.trim() && !now.has(l)).map((l) => `- ${l}`), ...[...now].filter((l) => l.trim() && !old.has(l)).map((l) => `+ ${l}`)];
}

function configOf(declarations: string, report: string, tempFolder: string): ExtractorConfig {
  const configObject: IConfigFile = {
    projectFolder: SDK,
    mainEntryPointFilePath: join(SDK, declarations),
    // Only the built declarations: the sources are compiled already (npm run build), and reading them again per
    // entry would cost a full compile each.
    compiler: {
      overrideTsconfig: {
        compilerOptions: { module: 'node20', moduleResolution: 'nodenext', lib: ['es2023'], types: ['node'], skipLibCheck: true, strict: true },
        files: PUBLIC_ENTRIES.map((p) => join(SDK, p.declarations)),
      },
    },
    apiReport: { enabled: true, reportFileName: report, reportFolder: API_FOLDER, reportTempFolder: tempFolder },
    docModel: { enabled: false },
    dtsRollup: { enabled: false },
    tsdocMetadata: { enabled: false },
    newlineKind: 'lf',
    messages: {
      compilerMessageReporting: { default: { logLevel: ExtractorLogLevel.Warning } },
      extractorMessageReporting: {
        default: { logLevel: ExtractorLogLevel.Warning, addToApiReportFile: true },
        // Release tags (@public/@beta) are for packages that ship previews; here the entry says what is public.
        'ae-missing-release-tag': { logLevel: ExtractorLogLevel.None },
      },
      tsdocMessageReporting: { default: { logLevel: ExtractorLogLevel.None } },
    },
  };
  return ExtractorConfig.prepare({ configObject, configObjectFullPath: undefined, packageJsonFullPath: join(SDK, 'package.json') });
}

/**
 * Compares each public entry of the built package (sdk/lib) with its committed report; with `update`, rewrites
 * the reports instead. Needs `npm run build` first.
 */
export function checkApiReports(update = false): ReportCheck[] {
  const temp = mkdtempSync(join(tmpdir(), 'sluice-api-'));
  try {
    // One TypeScript program for the four entries, shared by the four reports.
    let compilerState: CompilerState | undefined;
    return PUBLIC_ENTRIES.map(({ declarations, report }) => {
      const messages: string[] = [];
      const config = configOf(declarations, report, temp);
      compilerState ??= CompilerState.create(config);
      const result = Extractor.invoke(config, {
        compilerState,
        localBuild: update,
        messageCallback: (message) => {
          // console-* messages are API Extractor's own chatter ("report created"); the rest is about the API.
          const aboutTheApi = !message.messageId.startsWith('console-');
          if (aboutTheApi && (message.logLevel === ExtractorLogLevel.Error || message.logLevel === ExtractorLogLevel.Warning)) messages.push(message.formatMessageWithLocation(SDK));
          message.handled = true;
        },
      });
      const committed = join(API_FOLDER, report);
      const built = join(temp, report);
      const changes = result.apiReportChanged && existsSync(built) ? changedLines(existsSync(committed) ? readFileSync(committed, 'utf8') : '', readFileSync(built, 'utf8')) : [];
      return { report, same: !result.apiReportChanged, messages, changes };
    });
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const update = process.argv.includes('--update');
  const checks = checkApiReports(update);
  for (const c of checks) {
    console.log(`${c.report}: ${update ? 'written' : c.same ? 'unchanged' : 'CHANGED'}`);
    for (const m of [...c.messages, ...c.changes]) console.log(`  ${m}`);
  }
  if (!update && checks.some((c) => !c.same)) {
    console.error('The public API of sluice differs from sdk/api/. If that is on purpose, run `npm run api:update` and commit sdk/api/.');
    process.exit(1);
  }
}
