import { createServer, type IncomingHttpHeaders } from 'node:http';

/** A local SMS gateway speaking the generic JSON shape of `createHttpSmsSender`; it can answer a status or stall. */
export async function startSmsStandIn() {
  const received: Array<{ headers: IncomingHttpHeaders; body: { to: string; text: string; reference: string } }> = [];
  let answer = 202;
  let stallMs = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      setTimeout(() => {
        if (answer < 300) received.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
        res.writeHead(answer, { 'content-type': 'application/json' }).end('{"status":"queued"}');
      }, stallMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/sms`;
  return {
    url,
    received,
    set(opts: { status?: number; stallMs?: number }) {
      answer = opts.status ?? 202;
      stallMs = opts.stallMs ?? 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
