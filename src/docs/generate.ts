/**
 * All generated documentation as a map of relative path → file content. Pure: the same input
 * gives the same files, byte for byte, in the same (sorted) order; only the state snapshot and
 * the revision the caller passes carry time or commit information.
 */
import { accessGuidePath, renderAccessGuide } from './access-guide.ts';
import { CHANGE_GUIDE_PATH, renderChangeGuide } from './change-guide.ts';
import { renderEnvVarReference } from './env-var-reference.ts';
import { collectFacts, type DocsInput } from './facts.ts';
import { HANDOFF_PATH, renderHandoffGuide, sampleManifests } from './handoff-guide.ts';
import { INDEX_PATH, renderIndex } from './index-page.ts';
import { renderRecoveryGuide } from './recovery-guide.ts';
import { renderRunbook } from './runbook.ts';
import { renderVentureOverview, venturePath } from './venture-overview.ts';

export function generateDocs(input: DocsInput): Map<string, string> {
  const facts = collectFacts(input);
  const files = new Map<string, string>();
  files.set(INDEX_PATH, renderIndex(facts));
  files.set(HANDOFF_PATH, renderHandoffGuide(facts));
  files.set(CHANGE_GUIDE_PATH, renderChangeGuide(facts));
  for (const [path, text] of sampleManifests(facts)) files.set(path, text);
  for (const env of facts.environments) files.set(accessGuidePath(env.name), renderAccessGuide(facts, env));
  for (const venture of facts.ventures) {
    files.set(venturePath(venture.name, 'overview'), renderVentureOverview(facts, venture));
    files.set(venturePath(venture.name, 'env-vars'), renderEnvVarReference(facts, venture));
    files.set(venturePath(venture.name, 'runbook'), renderRunbook(facts, venture));
    files.set(venturePath(venture.name, 'recovery'), renderRecoveryGuide(facts, venture));
  }
  return new Map([...files.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
