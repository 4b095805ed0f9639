/**
 * What the console's customer endpoints answer (`/internal/console/customers…`). Plain types with
 * no server imports, so the console (console/src) imports the same definitions the API fills.
 */
export interface CustomerMatch {
  id: string;
  email: string;
  full_name: string;
  locale: string;
}

export interface CustomerMessage {
  id: string;
  campaign_id: string | null;
  workflow_id: string | null;
  subject: string | null;
  text: string;
  locale: string;
  model: string | null;
  prompt_version: number | null;
  safety: { safe: boolean | null; failed: string[]; fallback_reason: string | null };
  delivery_status: string;
  sent_at: string | null;
  response: string | null;
  responded_at: string | null;
  created_at: string;
}
