// Open TCP connections from this process to a server, as libuv lists them (ref'd or not): what a
// connection pool really holds, whatever its own bookkeeping says.

interface LibuvHandle {
  type: string;
  remoteEndpoint?: { port?: number } | null;
}

/** Client sockets of this process connected to `url`'s port (the simulator's, in-process). */
export function openSocketsTo(url: string): number {
  const port = Number(new URL(url).port);
  const report = process.report.getReport() as unknown as { libuv?: LibuvHandle[] };
  return (report.libuv ?? []).filter((h) => h.type === 'tcp' && h.remoteEndpoint?.port === port).length;
}
