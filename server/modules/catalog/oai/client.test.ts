import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { OaiClient } from './client.ts';
import { HarvestError } from './errors.ts';
import { startOaiServer } from './testing.ts';

const IDENTIFY =
  '<?xml version="1.0"?><OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>2024-05-02T00:00:00Z</responseDate>' +
  '<Identify><repositoryName>R</repositoryName><baseURL>x</baseURL><protocolVersion>2.0</protocolVersion>' +
  '<earliestDatestamp>2000-01-01</earliestDatestamp><deletedRecord>no</deletedRecord><granularity>YYYY-MM-DD</granularity></Identify></OAI-PMH>';

const servers: Array<{ server: Server; sockets: Set<Socket> }> = [];
afterEach(async () => {
  for (const { server, sockets } of servers.splice(0)) {
    for (const s of sockets) s.destroy();
    await new Promise((r) => server.close(r));
  }
});

/** A loopback HTTP server answering the n-th request (0-based) with `answer(n)`. */
async function serve(
  answer: (n: number, req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ url: string; count: () => number }> {
  let n = 0;
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => answer(n++, req, res));
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push({ server, sockets });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/oai`, count: () => n };
}

async function failure(promise: Promise<unknown>): Promise<HarvestError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HarvestError);
  return error as HarvestError;
}

describe('the OAI-PMH client', () => {
  it('retries a 5xx with backoff and succeeds when the server recovers', async () => {
    const { url, count } = await serve((n, _req, res) => {
      res.writeHead(n < 2 ? 502 : 200).end(n < 2 ? 'bad gateway' : IDENTIFY);
    });
    const retries: string[] = [];
    const client = new OaiClient({
      baseUrl: url,
      retryDelaysMs: [5, 5, 5],
      onRetry: (r) => retries.push(`${r.reason}/${r.waitMs}`),
    });
    expect((await client.identify()).granularity).toBe('YYYY-MM-DD');
    expect(count()).toBe(3);
    expect(retries).toEqual(['HTTP 502/5', 'HTTP 502/5']);
  });

  it('gives up after its retries with the status in the message', async () => {
    const { url, count } = await serve((_n, _req, res) => res.writeHead(500).end());
    const error = await failure(new OaiClient({ baseUrl: url, retryDelaysMs: [5, 5] }).identify());
    expect(error.code).toBe('HTTP_STATUS');
    expect(error.message).toBe(`${url} answered HTTP 500 3 times; giving up`);
    expect(count()).toBe(3);
  });

  it('refuses to wait longer than its bound when Retry-After asks for more', async () => {
    const { url, count } = await serve((_n, _req, res) =>
      res.writeHead(503, { 'retry-after': '3600' }).end(),
    );
    const error = await failure(
      new OaiClient({ baseUrl: url, maxRetryAfterMs: 60_000, retryDelaysMs: [5] }).identify(),
    );
    expect(error.message).toMatch(
      /busy \(HTTP 503\) and asks to retry after 3600 s, more than the 60 s/,
    );
    expect(count()).toBe(1);
  });

  it('reports an unreachable server', async () => {
    const { url } = await serve(() => undefined);
    const { server, sockets } = servers.pop()!;
    for (const s of sockets) s.destroy();
    await new Promise((r) => server.close(r));
    const error = await failure(new OaiClient({ baseUrl: url, retryDelaysMs: [5] }).identify());
    expect(error.code).toBe('UNREACHABLE');
    expect(error.message).toBe(`cannot reach ${url} (ECONNREFUSED) after 2 attempts`);
  });

  it('times a request out, within its timeout and a margin', async () => {
    const { url } = await serve(() => undefined); // accepts, never answers
    const started = Date.now();
    const error = await failure(
      new OaiClient({ baseUrl: url, timeoutMs: 300, retryDelaysMs: [] }).identify(),
    );
    expect(error.code).toBe('TIMEOUT');
    expect(error.message).toMatch(/no answer from .* \(no complete answer within 300 ms\)/);
    expect(Date.now() - started).toBeLessThan(300 + 2000);
  });

  it('reads OAI-PMH errors sent with a 4xx, and reports other 4xx by status', async () => {
    const { url } = await serve((n, _req, res) => {
      if (n === 0) {
        res
          .writeHead(400)
          .end(
            '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>2024-05-02T00:00:00Z</responseDate><error code="badArgument">from is bad</error></OAI-PMH>',
          );
      } else res.writeHead(404).end('<html>Not found</html>');
    });
    const client = new OaiClient({ baseUrl: url, retryDelaysMs: [] });
    expect(await failure(client.identify())).toMatchObject({
      code: 'OAI_ERROR',
      oaiCode: 'badArgument',
    });
    expect(await failure(client.identify())).toMatchObject({
      code: 'HTTP_STATUS',
      message: `${url} answered HTTP 404`,
    });
  });

  it('refuses an answer larger than its limit, and one that is not OAI-PMH', async () => {
    const { url } = await serve((n, _req, res) => {
      if (n === 0) res.writeHead(200).end('x'.repeat(5000));
      else res.writeHead(200).end('<html>Login</html>');
    });
    const client = new OaiClient({ baseUrl: url, maxResponseBytes: 1000, retryDelaysMs: [] });
    expect((await failure(client.identify())).message).toBe(
      'the response is larger than 1000 bytes',
    );
    expect((await failure(client.identify())).message).toBe(
      `${url}: the response is not OAI-PMH XML`,
    );
    expect(() => new OaiClient({ baseUrl: 'ftp://example.edu/oai' })).toThrow(/not an http/);
  });

  it('pages on with the resumption token alone', async () => {
    const oai = await startOaiServer({
      records: Array.from({ length: 5 }, (_, i) => ({
        identifier: `oai:x:${i}`,
        datestamp: '2024-05-01T00:00:00Z',
        deleted: true,
      })),
      pageSize: 2,
    });
    try {
      const client = new OaiClient({ baseUrl: oai.url });
      const sizes: number[] = [];
      for await (const page of client.listRecords({
        metadataPrefix: 'marc21',
        from: '2024-01-01',
        set: 's',
      })) {
        sizes.push(page.records.length);
      }
      // The set filters everything out: noRecordsMatch, one empty page.
      expect(sizes).toEqual([0]);
      sizes.length = 0;
      for await (const page of client.listRecords({ metadataPrefix: 'marc21', from: '2024-01-01' }))
        sizes.push(page.records.length);
      expect(sizes).toEqual([2, 2, 1]);
      const asked = oai.requests.slice(1).map((q) => [...q.keys()].sort().join(','));
      expect(asked).toEqual([
        'from,metadataPrefix,verb',
        'resumptionToken,verb',
        'resumptionToken,verb',
      ]);
    } finally {
      await oai.close();
    }
  });
});
