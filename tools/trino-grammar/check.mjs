// Checks SQL against Trino's grammar (dt-sql-parser's TrinoSQL, generated from a grammar derived
// from Trino's SqlBase.g4), so SQL that Athena engine v3 would reject is caught without AWS.
//
//   node --import ./register.mjs check.mjs FILE...      check files
//   node --import ./register.mjs check.mjs < query.sql  check stdin
//   node --import ./register.mjs check.mjs --json       stdin: {"label": "sql", ...};
//                                                       stdout: [{"label", "line", "column", "message"}]
//
// Text mode prints one "label:line:column: message" line per error. Exit 1 if any error, 2 on bad usage.
import { readFileSync } from 'node:fs';

// Imported dynamically so that a missing package is a usage error (exit 2), not a syntax verdict.
let parser;
try {
  const { TrinoSQL } = await import('dt-sql-parser');
  parser = new TrinoSQL();
} catch (error) {
  process.stderr.write(`check.mjs: cannot load dt-sql-parser (run npm ci): ${error.message}\n`);
  process.exit(2);
}

function check(label, sql) {
  return parser.validate(sql).map((e) => ({
    label,
    line: e.startLine,
    column: e.startColumn,
    message: e.message,
  }));
}

function readInputs(args) {
  if (args.length === 0) return { '<stdin>': readFileSync(0, 'utf8') };
  const inputs = {};
  for (const path of args) {
    try {
      inputs[path] = readFileSync(path, 'utf8');
    } catch (error) {
      process.stderr.write(`check.mjs: cannot read ${path}: ${error.message}\n`);
      process.exit(2);
    }
  }
  return inputs;
}

const args = process.argv.slice(2);
const json = args[0] === '--json';
const inputs = json ? JSON.parse(readFileSync(0, 'utf8')) : readInputs(args);
const errors = Object.entries(inputs).flatMap(([label, sql]) => check(label, sql));

if (json) {
  process.stdout.write(JSON.stringify(errors) + '\n');
} else {
  for (const e of errors) process.stdout.write(`${e.label}:${e.line}:${e.column}: ${e.message}\n`);
}
// exitCode, not exit(): let a large result finish writing to a pipe.
process.exitCode = errors.length > 0 ? 1 : 0;
