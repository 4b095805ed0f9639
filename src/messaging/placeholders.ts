import type { PromptContext } from './types';

/** `{{name}}` slots in prompts and approved templates. */
const PLACEHOLDER = /\{\{\s*([a-zA-Z0-9_]+)\s*\}\}/g;

/** The placeholder names a text uses, in order of first appearance. */
export function placeholderNames(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]))];
}

/** Context keys a text needs but the context does not have (or has empty). */
export function missingPlaceholders(text: string, context: PromptContext): string[] {
  return placeholderNames(text).filter((name) => context[name] === undefined || String(context[name]).trim() === '');
}

/**
 * Fills `{{name}}` from the context. A missing value becomes `whenMissing` (prompts tell the
 * model "not given"); callers that must not leave a slot open check `missingPlaceholders` first.
 */
export function fillPlaceholders(text: string, context: PromptContext, whenMissing?: string): string {
  return text.replace(PLACEHOLDER, (slot, name: string) => {
    const value = context[name];
    if (value === undefined || String(value).trim() === '') return whenMissing ?? slot;
    return String(value);
  });
}
