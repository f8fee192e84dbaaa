import { LineCounter, isNode, parseDocument, type Document } from 'yaml';
import { ConfigError } from '../gateway/errors.ts';
import type { PathSegment } from './key-path.ts';

/** A parsed YAML file that still knows where each key was written, for error messages. */
export interface YamlSource {
  readonly data: unknown;
  /** `file:line:column` of the value at `path` (or of the nearest parent that exists). */
  where(path: readonly PathSegment[]): string;
}

/**
 * Parses YAML text. Syntax errors (and duplicate keys, which YAML 1.2 §3.2.1.1 forbids) become a
 * ConfigError naming the line and column, so the user fixes the file without guessing.
 */
export function parseYamlSource(text: string, file: string): YamlSource {
  const lineCounter = new LineCounter();
  const doc: Document.Parsed = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const err = doc.errors[0];
  if (err) {
    const pos = err.linePos?.[0] ?? lineCounter.linePos(err.pos[0]);
    const reason = err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    throw new ConfigError(
      '',
      `YAML syntax error in ${file} at line ${pos.line}, column ${pos.col}: ${reason}`,
      'fix the YAML at that position (indentation with spaces, a space after ":", quotes around values with ": " or "#")',
    );
  }
  const data: unknown = doc.toJS({ maxAliasCount: 100 });
  return {
    data: data ?? {},
    where(path) {
      // Walk down as far as the document goes; report the deepest node that exists.
      for (let n = path.length; n >= 0; n--) {
        const node: unknown = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
        if (isNode(node) && node.range) {
          const p = lineCounter.linePos(node.range[0]);
          return `${file}:${p.line}:${p.col}`;
        }
      }
      return file;
    },
  };
}
