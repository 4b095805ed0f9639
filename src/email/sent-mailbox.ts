import { ImapFlow } from 'imapflow';

/**
 * The sender's Sent mailbox, asked over IMAP whether a mail with a given Message-ID is there.
 *
 * Gmail (and other providers that keep a Sent copy of what their SMTP relay accepted) files every
 * message sent through smtp.gmail.com into "[Gmail]/Sent Mail". So when a send attempt ended
 * without knowing whether the relay accepted its mail, that copy answers the question SMTP cannot:
 * src/messaging/delivery.ts asks here before it sends again.
 *
 * One connection per check, not one kept open: checks happen only when an attempt takes over a
 * send left in doubt (a killed worker, a connection lost after the final dot), a handful a day.
 * A kept connection would hold one of the account's few IMAP sessions (Gmail allows 15) per
 * worker all day, be dropped by the server when idle and need reconnecting, keepalives and error
 * handling to be trusted at the rare moment it is needed; a fresh one costs a TLS handshake,
 * LOGIN, EXAMINE and SEARCH — about a second — on a path that is already a retry, and always
 * sees the mailbox as it is now.
 */
export interface SentMailbox {
  /** Where it looks, without the password (logs, the start-up banner). */
  readonly description: string;
  /** Whether the mailbox holds a mail with this Message-ID; throws SentMailboxUnavailable when it cannot tell. */
  contains(messageId: string): Promise<boolean>;
}

/** Why a check could not answer: the caller then resends, as it would without a Sent mailbox. */
export type SentMailboxProblem = 'timeout' | 'unreachable' | 'authentication' | 'no-sent-mailbox' | 'protocol';

export class SentMailboxUnavailable extends Error {
  constructor(
    readonly problem: SentMailboxProblem,
    message: string,
  ) {
    super(message);
    this.name = 'SentMailboxUnavailable';
  }
}

export interface SentMailboxSettings {
  host: string;
  port: number;
  secure: boolean;
  user: string;
  password: string;
  /** The mailbox path, e.g. "[Gmail]/Sent Mail"; undefined: the one the server marks \Sent (RFC 6154). */
  mailbox: string | undefined;
}

/** A check that has not answered by then gives up: the attempt resends rather than waits. */
export const SENT_MAILBOX_TIMEOUT_MS = 5000;

/** imaps://user:password@host[:993]/<mailbox, URL-encoded> (config.ts has validated the scheme and credentials). */
export function parseSentMailboxUrl(url: string): SentMailboxSettings {
  const parsed = new URL(url);
  const secure = parsed.protocol === 'imaps:';
  const path = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  return {
    host: parsed.hostname,
    port: parsed.port ? Number(parsed.port) : secure ? 993 : 143,
    secure,
    user: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
    mailbox: path === '' ? undefined : path,
  };
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'EPIPE', 'NoConnection']);

function toUnavailable(error: unknown): SentMailboxUnavailable {
  if (error instanceof SentMailboxUnavailable) return error;
  const { authenticationFailed, code, message } = error as { authenticationFailed?: boolean; code?: string; message?: string };
  if (authenticationFailed) return new SentMailboxUnavailable('authentication', `login refused: ${message}`);
  if (code === 'ETIMEDOUT' || code === 'CONNECT_TIMEOUT' || code === 'GREETING_TIMEOUT') return new SentMailboxUnavailable('timeout', message ?? 'timed out');
  if (code && UNREACHABLE.has(code)) return new SentMailboxUnavailable('unreachable', message ?? code);
  return new SentMailboxUnavailable('protocol', message ?? String(error));
}

async function search(client: ImapFlow, settings: SentMailboxSettings, messageId: string): Promise<boolean> {
  await client.connect();
  const path = settings.mailbox ?? (await client.list()).find((box) => box.specialUse === '\\Sent')?.path;
  if (!path) throw new SentMailboxUnavailable('no-sent-mailbox', 'no mailbox is marked \\Sent; name it in the URL path');
  const lock = await client.getMailboxLock(path, { readOnly: true });
  let found: number[] | false | undefined;
  try {
    // HEADER search is a substring match; the id's angle brackets make it match that id alone
    found = await client.search({ header: { 'message-id': messageId } }, { uid: true });
  } finally {
    lock.release();
  }
  if (!Array.isArray(found)) throw new SentMailboxUnavailable('protocol', `SEARCH failed in ${path}`);
  await client.logout().catch(() => undefined);
  return found.length > 0;
}

export function createSentMailbox(url: string, options: { timeoutMs?: number } = {}): SentMailbox {
  const settings = parseSentMailboxUrl(url);
  const timeoutMs = options.timeoutMs ?? SENT_MAILBOX_TIMEOUT_MS;
  return {
    description: `${settings.secure ? 'imaps' : 'imap'}://${settings.user}:***@${settings.host}:${settings.port}/${settings.mailbox ?? '(\\Sent)'}`,
    async contains(messageId) {
      const client = new ImapFlow({
        host: settings.host,
        port: settings.port,
        secure: settings.secure,
        auth: { user: settings.user, pass: settings.password },
        logger: false,
        disableAutoIdle: true,
        connectionTimeout: timeoutMs,
        greetingTimeout: timeoutMs,
        socketTimeout: timeoutMs,
      });
      // a socket error after the answer (or after giving up) must not become an uncaught 'error' event
      client.on('error', () => undefined);
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new SentMailboxUnavailable('timeout', `no answer within ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        return await Promise.race([search(client, settings, messageId), deadline]);
      } catch (error) {
        throw toUnavailable(error);
      } finally {
        clearTimeout(timer);
        client.close();
      }
    },
  };
}
