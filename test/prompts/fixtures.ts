import { signAccessToken } from '../../src/auth/jwt';
import { getJson, postJson } from '../helpers/http';
import type { TestSystem } from '../helpers/system';

export const API_KEY = { 'x-api-key': 'test-internal-api-key-0123456789' };

/** A new English reminder version whose template is safe; `overrides` make it otherwise. */
export function reminderVersion(overrides: Record<string, unknown> = {}) {
  return {
    agent_type: 'smartengage',
    message_type: 'REMINDER',
    locale: 'en',
    system_prompt: 'You write short, friendly booking reminders in plain English. No links or phone numbers.',
    user_prompt: 'Customer first name: {{first_name}}\nService: {{service_name}}\nLanguage: English',
    fallback_subject: 'Your {{service_name}} is due, {{first_name}}',
    fallback_text: 'Hello {{first_name}}, your home may be ready for another {{service_name}}. Book again in one tap below.',
    notes: 'shorter, friendlier wording',
    ...overrides,
  };
}

export async function createVersion(system: TestSystem, body: Record<string, unknown>, headers: Record<string, string> = API_KEY) {
  return postJson(`${system.baseUrl}/internal/prompts`, body, headers);
}

export async function activate(system: TestSystem, id: string, body: Record<string, unknown> = {}, headers: Record<string, string> = API_KEY) {
  return postJson(`${system.baseUrl}/internal/prompts/${id}/activate`, body, headers);
}

export async function listVersions(system: TestSystem, query: string) {
  return getJson(`${system.baseUrl}/internal/prompts?${query}`, API_KEY);
}

/** An operator's bearer token, as the console would send it. */
export async function operatorAuth(system: TestSystem, email = 'ops@example.test'): Promise<Record<string, string>> {
  const token = await signAccessToken({ sub: '00000000-0000-4000-8000-000000000001', role: 'operator', email }, system.config, 3600);
  return { authorization: `Bearer ${token}` };
}
