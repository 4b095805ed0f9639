/** The part of hoodiecrow-imap (a scriptable IMAP server, no types of its own) the tests use. */
declare module 'hoodiecrow-imap' {
  import type { Server } from 'node:net';

  interface HoodiecrowServer {
    server: Server;
    listen(port: number, host: string, callback: () => void): void;
    close(callback?: () => void): void;
    appendMessage(mailbox: string, flags: string[], internaldate: Date | false, raw: string): unknown;
    getMailbox(path: string): { messages: Array<{ raw: string }> } | undefined;
  }

  function hoodiecrow(options: Record<string, unknown>): HoodiecrowServer;
  export = hoodiecrow;
}
