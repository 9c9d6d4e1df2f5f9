// Validates Parley's published contract (issue 13, item 10); exits non-zero on any error or warning.
//  - openapi.yaml: Redocly lint, the rules and their exceptions in redocly.yaml and .redocly.lint-ignore.yaml
//  - asyncapi.yaml: the AsyncAPI parser (@asyncapi/parser) with its core and recommended rules
// Run from anywhere: `node contract-lint/lint.mjs` (after `npm ci` in contract-lint/).
import { spawnSync } from 'node:child_process';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DiagnosticSeverity, Parser, fromFile } from '@asyncapi/parser';

const here = dirname(fileURLToPath(import.meta.url));
const docs = join(here, '..', 'realtime-push', 'src', 'main', 'resources', 'static', 'api', 'docs');

// Rules of the AsyncAPI parser that do not apply, each with the reason.
const asyncApiRulesOff = {
  // Parley is self-hosted: whoever runs a deployment is its contact, and the document every deployment serves cannot
  // name them (the OpenAPI document has no contact either, and Redocly's recommended rules do not ask for one).
  'asyncapi-info-contact': 'off',
};

function lintOpenApi() {
  console.log('== OpenAPI: redocly lint');
  const redocly = spawnSync(join(here, 'node_modules', '.bin', 'redocly'), ['lint', '--format=stylish'], {
    cwd: here,
    stdio: 'inherit',
    // no usage reports from a CI machine, no update notices in its log
    env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
  });
  if (redocly.error) {
    throw redocly.error;
  }
  return redocly.status === 0;
}

async function lintAsyncApi() {
  const file = join(docs, 'asyncapi.yaml');
  console.log(`== AsyncAPI: @asyncapi/parser on ${relative(process.cwd(), file)}`);
  const parser = new Parser({ ruleset: { rules: asyncApiRulesOff } });
  const { document, diagnostics } = await fromFile(parser, file).parse();
  const names = { [DiagnosticSeverity.Error]: 'error', [DiagnosticSeverity.Warning]: 'warning',
    [DiagnosticSeverity.Information]: 'info', [DiagnosticSeverity.Hint]: 'hint' };
  for (const d of diagnostics) {
    const at = `${d.range.start.line + 1}:${d.range.start.character + 1}`;
    console.log(`  ${at.padEnd(8)} ${names[d.severity].padEnd(8)} ${d.code.padEnd(32)} ${d.message} (${d.path.join('.')})`);
  }
  const failing = diagnostics.filter(d => d.severity <= DiagnosticSeverity.Warning);
  const ok = document !== undefined && failing.length === 0;
  console.log(ok ? `  valid (${diagnostics.length} informational)` : `  ${failing.length} errors and warnings`);
  return ok;
}

const openApiOk = lintOpenApi();
const asyncApiOk = await lintAsyncApi();
if (!openApiOk || !asyncApiOk) {
  console.error('The published contract does not validate.');
  process.exit(1);
}
