// The layout of src/ as a newcomer reads it (`ls -R src`): the entry points at the root, a folder
// per phase, no file over 300 lines, no import circle, and runtime code that never reaches Node.js.
// Static and dynamic imports count alike: a circle through `import()` is still a circle to read.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(__dirname, '../../src');
const MODULES = readdirSync(SRC, { recursive: true, encoding: 'utf8' })
  .filter((file) => /\.tsx?$/.test(file))
  .map((file) => file.split(path.sep).join('/'))
  .sort();

/** The modules of src/ that `file` imports (relative specifiers, `.js` as written in the source). */
function importsOf(file: string): string[] {
  // Comment lines are left out: a doc comment may show an import (`import hero from './hero.jpg'`).
  const text = readFileSync(path.join(SRC, file), 'utf8')
    .split('\n')
    .filter((line) => !/^\s*(?:\/\/|\/\*|\*)/.test(line))
    .join('\n');
  const specifiers = [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^import\s+)'(\.{1,2}\/[^']+)'/gm)].map((m) => m[1]!);
  return specifiers.map((spec) => {
    const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec)).replace(/\.js$/, '');
    const found = MODULES.find((m) => m === `${target}.ts` || m === `${target}.tsx`);
    if (!found) throw new Error(`${file} imports ${spec}, which is no module of src/`);
    return found;
  });
}

/** The import circles of `graph`, each as a list of modules from one back to itself. */
function circles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return found;
}

describe('the layout of src/', () => {
  const graph = new Map(MODULES.map((file) => [file, importsOf(file)]));

  it('has the entry points at the root and every other module in a folder', () => {
    expect(MODULES.filter((file) => !file.includes('/'))).toEqual(['bin.ts', 'config.ts', 'index.ts']);
  });

  it('has no import circle', () => {
    expect(circles(graph).map((circle) => circle.join(' → '))).toEqual([]);
  });

  it('has no file over 300 lines', () => {
    const long = MODULES.map((file) => [file, readFileSync(path.join(SRC, file), 'utf8').split('\n').length] as const).filter(([, lines]) => lines > 300);
    expect(long).toEqual([]);
  });

  it('keeps the runtime (index.ts and runtime/) free of Node.js and of the other phases', () => {
    const runtime = ['index.ts', ...MODULES.filter((file) => file.startsWith('runtime/'))];
    for (const file of runtime) {
      const text = readFileSync(path.join(SRC, file), 'utf8');
      expect(text, file).not.toMatch(/from\s*'node:|import\(\s*'node:|require\(/);
      expect(graph.get(file)!.filter((target) => !target.startsWith('runtime/')), file).toEqual([]);
    }
  });

  it('finds a circle when there is one (the check itself)', () => {
    const withCircle = new Map([...graph, ['build/hash.ts', [...graph.get('build/hash.ts')!, 'build/token.ts']]]);
    expect(circles(withCircle).length).toBeGreaterThan(0);
    expect(circles(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']]]))).toEqual([['a', 'b', 'c', 'a']]);
  });
});
