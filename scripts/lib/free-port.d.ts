/** A TCP port free on the loopback interface right now. */
export function freePort(): Promise<number>;
