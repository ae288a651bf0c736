/**
 * Documentation coverage of the public API (issue 22, item 3): walks every export reachable
 * from the barrel `src/index.ts` (namespaces such as `tfe.layers` included) with the TypeScript
 * compiler API and lists each one whose TSDoc lacks a description or an `@example`.
 *
 *   npx tsx scripts/doc_coverage.ts      # prints the gaps; exits 1 when there are any
 */
import ts from 'typescript';
import { fileURLToPath } from 'node:url';

/** One public export and what its TSDoc lacks. */
export interface DocGap { name: string; file: string; missing: ('description' | '@example')[] }

/**
 * The public exports of `entry` (default src/index.ts) that lack a description or an
 * `@example`, with their dotted names (`layers.dense`) and declaring files.
 * @example
 * ```ts
 * const gaps = docGaps();
 * for (const g of gaps) console.log(`${g.name} (${g.file}): ${g.missing.join(', ')}`);
 * ```
 */
export function docGaps(entry = fileURLToPath(new URL('../src/index.ts', import.meta.url))): DocGap[] {
  const configPath = fileURLToPath(new URL('../tsconfig.json', import.meta.url));
  const cfg = ts.getParsedCommandLineOfConfigFile(configPath, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} })!;
  const program = ts.createProgram([entry], cfg.options);
  const checker = program.getTypeChecker();
  const root = checker.getSymbolAtLocation(program.getSourceFile(entry)!)!;
  const gaps: DocGap[] = [];
  const seen = new Set<ts.Symbol>();
  const visit = (moduleSymbol: ts.Symbol, prefix: string) => {
    for (const exported of checker.getExportsOfModule(moduleSymbol)) {
      const sym = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      const name = prefix + exported.name;
      const decl = sym.declarations?.[0];
      if (!decl) continue;
      if (ts.isSourceFile(decl) || ts.isModuleDeclaration(decl)) {
        // `export * as ns from './x.js'`: the namespace is documented by its module's header
        // comment; its members are checked one by one.
        if (!seen.has(sym)) { seen.add(sym); visit(sym, `${name}.`); }
        continue;
      }
      const missing: DocGap['missing'] = [];
      const docs = sym.declarations!.some((d) => ts.getJSDocCommentsAndTags(d).some((j) => ts.isJSDoc(j) && !!j.comment));
      if (!docs && ts.displayPartsToString(sym.getDocumentationComment(checker)).trim() === '') missing.push('description');
      if (!sym.getJsDocTags(checker).some((t) => t.name === 'example')) missing.push('@example');
      if (missing.length) gaps.push({ name, file: decl.getSourceFile().fileName.replace(/^.*\/src\//, 'src/'), missing });
    }
  };
  visit(root, '');
  return gaps;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const gaps = docGaps();
  for (const g of gaps) console.log(`${g.name}  ${g.file}  missing ${g.missing.join(' and ')}`);
  console.log(`${gaps.length} public export(s) lacking a description or an @example`);
  process.exit(gaps.length ? 1 : 0);
}
