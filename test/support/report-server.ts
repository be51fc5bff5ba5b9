/**
 * The report handler mounted on a real server on a free port of 127.0.0.1, for the handler tests
 * (report and verify routes). Other paths answer 418, so "not handled" is visible.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createReportHandler, type ReportHandlerOptions, type ReportSource } from '../../src/index.js';

/** Serve `source`'s report; the server is pushed on `servers` for the caller to close. @returns its base URL */
export async function serveReport(servers: Server[], source: ReportSource, options: ReportHandlerOptions = {}): Promise<string> {
  const handler = createReportHandler(source, { onError: () => {}, ...options });
  const server = createServer((req, res) => {
    if (!handler(req, res)) res.writeHead(418).end('host');
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
