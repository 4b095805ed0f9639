import type { DraftText, Finding } from './findings';
import { fromFindings, type RuleResult } from './text';

/**
 * Unfilled slots: a template variable left open, or a model writing "[Customer Name]" instead
 * of the name. Square brackets, braces, angle brackets and "XXX"/"____" blanks are all slots
 * in a message meant for a person; printf/template-literal markers too.
 */
const SLOTS: Array<[string, RegExp]> = [
  ['{{…}}', /\{\{[^{}]*\}\}/g],
  ['{…}', /\{[\p{L}\p{N}_ .-]{1,40}\}/gu],
  ['[…]', /\[[^\][\n]{1,40}\]/g],
  ['<…>', /<[\p{L}_ ][\p{L}\p{N}_ ]{0,39}>/gu],
  ['${…}', /\$\{[^}]*\}/g],
  ['%s', /%[sd]\b/g],
  ['XXX', /\b[Xx]{3,}\b/g],
  ['___', /_{3,}/g],
];

export function findPlaceholders(text: string): string[] {
  return SLOTS.flatMap(([, pattern]) => [...text.matchAll(pattern)].map((m) => m[0]));
}

export function placeholdersRule(text: DraftText): RuleResult {
  const findings: Finding[] = SLOTS.flatMap(([kind, pattern]) =>
    [...text.plain.text.matchAll(pattern)].map((m) => ({ start: m.index!, end: m.index! + m[0].length, kind: `unfilled ${kind}` })),
  );
  return fromFindings('placeholders', 'medium', text, text.plain, findings);
}
