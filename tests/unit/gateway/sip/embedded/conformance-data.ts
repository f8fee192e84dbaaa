/**
 * Where the shared SIP conformance material lives (never copied into the project): `shared/` sits
 * beside the checkout, see /shared/sip-conformance/README.md.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../..');
export const conformanceDir = path.resolve(repoRoot, '../shared/sip-conformance');
export const haveConformanceData = existsSync(path.join(conformanceDir, 'rfc4475', 'INDEX.tsv'));
