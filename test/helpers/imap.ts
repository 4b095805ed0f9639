import type { Socket } from 'node:net';
import hoodiecrow from 'hoodiecrow-imap';

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
 * the latter marked \Sent (RFC 6154) unless `markSent` is false, one user `bot` with password `pw`;
 * `sentFolder` renames the Sent folder (imapflow takes a folder named like "Sent Mail" for the
 * Sent mailbox even when the server does not mark it).
 */
export async function startImapServer(options: { markSent?: boolean; sentFolder?: string } = {}): Promise<TestImapServer> {
  const sentFlags = options.markSent === false ? {} : { 'special-use': '\\Sent' };
  const sentFolder = options.sentFolder ?? 'Sent Mail';
  const sentPath = `[Gmail]/${sentFolder}`;
  const server = hoodiecrow({
    plugins: ['ID', 'UNSELECT', 'SPECIAL-USE', 'LITERALPLUS', 'ENABLE'],
    storage: {
      INBOX: { messages: [] },
      '': { separator: '/', folders: { '[Gmail]': { flags: ['\\Noselect'], folders: { [sentFolder]: { ...sentFlags, messages: [] } } } } },
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
    url: `imap://bot:pw@127.0.0.1:${port}/${encodeURIComponent(sentPath)}`,
    port,
    fileSent: (raw) => void server.appendMessage(sentPath, ['\\Seen'], false, raw),
    sentMessageIds: () => (server.getMailbox(sentPath)?.messages ?? []).map((m) => /^message-id:\s*(\S+)/im.exec(m.raw)?.[1] ?? ''),
    close: () =>
      new Promise((resolve) => {
        sockets.forEach((socket) => socket.destroy());
        server.close(() => resolve());
      }),
  };
}
