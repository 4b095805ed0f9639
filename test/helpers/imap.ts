import type { Socket } from 'node:net';
import hoodiecrow from 'hoodiecrow-imap';

export const SENT_MAILBOX_PATH = '[Gmail]/Sent Mail';

export interface TestImapServer {
  /** A SENT_MAILBOX_URL for the mailbox, as Gmail's would be. */
  url: string;
  port: number;
  /** Files a raw RFC 822 message in "[Gmail]/Sent Mail", as Gmail does with what its relay accepted. */
  fileSent(raw: string): void;
  /** The Message-ID headers of what the Sent mailbox holds. */
  sentMessageIds(): string[];
  close(): Promise<void>;
}

/**
 * A real IMAP server (hoodiecrow) laid out like a Gmail account: INBOX and "[Gmail]/Sent Mail",
 * the latter marked \Sent (RFC 6154), one user `bot` with password `pw`.
 */
export async function startImapServer(): Promise<TestImapServer> {
  const server = hoodiecrow({
    plugins: ['ID', 'UNSELECT', 'SPECIAL-USE', 'LITERALPLUS', 'ENABLE'],
    storage: {
      INBOX: { messages: [] },
      '': { separator: '/', folders: { '[Gmail]': { flags: ['\\Noselect'], folders: { 'Sent Mail': { 'special-use': '\\Sent', messages: [] } } } } },
    },
    users: { bot: { password: 'pw' } },
  });
  const sockets = new Set<Socket>();
  server.server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as { port: number };
  return {
    url: `imap://bot:pw@127.0.0.1:${port}/${encodeURIComponent(SENT_MAILBOX_PATH)}`,
    port,
    fileSent: (raw) => void server.appendMessage(SENT_MAILBOX_PATH, ['\\Seen'], false, raw),
    sentMessageIds: () => (server.getMailbox(SENT_MAILBOX_PATH)?.messages ?? []).map((m) => /^message-id:\s*(\S+)/im.exec(m.raw)?.[1] ?? ''),
    close: () =>
      new Promise((resolve) => {
        sockets.forEach((socket) => socket.destroy());
        server.close(() => resolve());
      }),
  };
}
