import type { SigningSecrets } from '../security/keys';
import type { Db } from '../db/database';
import { forbidden, HttpError } from '../lib/errors';
import { verifyDeepLinkToken } from '../smartengage/deep-link-token';

export interface AttributedMessage {
  id: string;
  workflow_id: string | null;
}

/** The message a deep-link token came from, if the token is genuine and belongs to this customer. */
export async function attributedMessage(db: Db, secrets: SigningSecrets, token: string, customerId: string): Promise<AttributedMessage | null> {
  // an expired link still says where the customer came from; only forgeries are refused
  const verdict = await verifyDeepLinkToken(token, secrets);
  const tokenId = verdict.ok ? verdict.claims.tokenId : verdict.reason === 'expired' ? verdict.tokenId : undefined;
  if (!tokenId) throw new HttpError(400, 'invalid_deep_link', 'deep_link_token is not a valid link token');
  const link = await db.selectFrom('deep_links').select(['customer_id', 'message_id']).where('token_id', '=', tokenId).executeTakeFirst();
  if (!link) throw new HttpError(400, 'invalid_deep_link', 'deep_link_token is not a valid link token');
  if (link.customer_id !== customerId) throw forbidden('the deep link belongs to another customer');
  if (!link.message_id) return null;
  return (await db.selectFrom('ai_messages').select(['id', 'workflow_id']).where('id', '=', link.message_id).executeTakeFirst()) ?? null;
}
