// Reads StrykerJS's JSON reports (those of `npm run test:mutation`, one per group, by default) and
// prints the mutation score of each module as a Markdown table, then the surviving mutants (file,
// line, mutator, replacement), for docs/mutation-testing.md.
//   node scripts/mutation-summary.mjs [report.json ...]
import { existsSync, readdirSync, readFileSync } from 'node:fs';

const DEFAULT = 'reports/mutation/groups';
const given = process.argv.slice(2);
const listed = () => (existsSync(DEFAULT) ? readdirSync(DEFAULT).filter((f) => f.endsWith('.json')) : []);
const paths = given.length > 0 ? given : listed().map((f) => `${DEFAULT}/${f}`);
if (paths.length === 0) {
  console.error(`[next-static-bust] no report in ${DEFAULT}/. Run \`npm run test:mutation\` first, or name a Stryker JSON report.`);
  process.exit(2);
}
// A module measured in several reports counts once, from the last one named.
const report = { files: Object.assign({}, ...paths.map((p) => JSON.parse(readFileSync(p, 'utf8')).files)) };
const rows = [];
const survivors = [];
const total = { killed: 0, survived: 0, noCoverage: 0, timeout: 0 };
for (const [file, { mutants, source }] of Object.entries(report.files).sort(([a], [b]) => a.localeCompare(b))) {
  const count = (status) => mutants.filter((m) => m.status === status).length;
  const killed = count('Killed');
  const timeout = count('Timeout');
  const survived = count('Survived');
  const noCoverage = count('NoCoverage');
  for (const key of Object.keys(total)) total[key] += { killed, survived, noCoverage, timeout }[key];
  const valid = killed + timeout + survived + noCoverage;
  rows.push(`| \`${file}\` | ${valid} | ${killed + timeout} | ${survived} | ${noCoverage} | ${valid ? (((killed + timeout) / valid) * 100).toFixed(1) : '—'} % |`);
  const lines = source.split('\n');
  for (const m of mutants.filter((m) => m.status === 'Survived' || m.status === 'NoCoverage')) {
    const line = m.location.start.line;
    const original = lines[line - 1].trim().slice(0, 90);
    survivors.push(`- ${file}:${line} ${m.status === 'NoCoverage' ? '(no test runs it) ' : ''}${m.mutatorName}: \`${String(m.replacement ?? '').replace(/\s+/g, ' ').slice(0, 70)}\` in \`${original}\``);
  }
}
const valid = total.killed + total.timeout + total.survived + total.noCoverage;
console.log('| module | mutants | killed | survived | not covered | score |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const row of rows) console.log(row);
console.log(`| all | ${valid} | ${total.killed + total.timeout} | ${total.survived} | ${total.noCoverage} | ${(((total.killed + total.timeout) / valid) * 100).toFixed(1)} % |`);
console.log('\nSurvivors:\n');
for (const s of survivors) console.log(s);
