import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One fenced code block of the README and the name its `<!-- readme-test: NAME -->` marker gives it. */
export interface ReadmeBlock {
  /** The marker's name, or undefined when the block has no marker right above it. */
  name: string | undefined;
  /** The fence's language (`ts`, `sh`, `json`, ...). */
  lang: string;
  code: string;
  /** 1-based line of the opening fence. */
  line: number;
}

const root = new URL('../..', import.meta.url).pathname;

/**
 * Every fenced code block of README.md, in order, with its marker name. A marker is the line
 * `<!-- readme-test: NAME -->` directly above the fence (blank lines between are allowed).
 * @example
 * ```ts
 * const fit = readmeBlocks().find((b) => b.name === 'fit')!.code;
 * ```
 */
export function readmeBlocks(): ReadmeBlock[] {
  const lines = readFileSync(join(root, 'README.md'), 'utf8').split('\n');
  const blocks: ReadmeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w*)\s*$/.exec(lines[i]);
    if (!open) continue;
    let j = i + 1;
    while (j < lines.length && !/^```\s*$/.test(lines[j])) j++;
    let k = i - 1;
    while (k >= 0 && lines[k].trim() === '') k--;
    const name = k >= 0 ? /^<!-- readme-test: ([\w-]+) -->$/.exec(lines[k].trim())?.[1] : undefined;
    blocks.push({ name, lang: open[1], code: lines.slice(i + 1, j).join('\n') + '\n', line: i + 1 });
    i = j;
  }
  return blocks;
}

/**
 * The code of the block marked `name`; throws when there is none.
 * @example
 * ```ts
 * const script = readmeBlock('networked');
 * ```
 */
export function readmeBlock(name: string): string {
  const b = readmeBlocks().find((x) => x.name === name);
  if (!b) throw new Error(`README.md has no block marked <!-- readme-test: ${name} -->`);
  return b.code;
}

/**
 * The commands of a shell block: `\`-continued lines joined, `#` comments dropped, split on
 * `;` and `&&`, each as its words (the README's commands use no quoting).
 * @example
 * ```ts
 * shellCommands('npm install && npm start  # demo\n'); // [['npm', 'install'], ['npm', 'start']]
 * ```
 */
export function shellCommands(code: string): string[][] {
  return code.replace(/\\\n/g, ' ').split('\n')
    .map((l) => l.replace(/\s#.*$/, '').replace(/^#.*$/, ''))
    .flatMap((l) => l.split(/;|&&/))
    .map((c) => c.trim().split(/\s+/).filter(Boolean))
    .filter((c) => c.length > 0);
}
