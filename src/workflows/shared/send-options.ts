/**
 * The email send activity heartbeats while it talks to the mail server (src/messaging/delivery.ts):
 * a worker killed mid-send is noticed after this long, not after the start-to-close timeout, and
 * the retry takes over the dead attempt's send lease (10 s) about when it lapses.
 */
export const SEND_HEARTBEAT_TIMEOUT = '6s';
