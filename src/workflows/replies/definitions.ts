/**
 * The reply workflow's public surface (DESIGN.md "Replies understood"). One run per stored
 * reply, id `reply-<reply id>`, started by the reply path (src/temporal/clients/reply.ts) for
 * email and in-app replies alike.
 */
export const UNDERSTAND_REPLY_WORKFLOW = 'understandReply';

export const replyWorkflowId = (replyId: string) => `reply-${replyId}`;

export interface UnderstandReplyInput {
  replyId: string;
  correlationId?: string;
}
