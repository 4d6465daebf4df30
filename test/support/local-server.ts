/**
 * An HTTP server on 127.0.0.1 at a port the system picks: the plumbing of the CRM stand-ins
 * (test/fakes/hubspot-fake-server.ts, test/fakes/salesforce-fake) and of tests that need a real socket.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type LocalHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export class LocalServer {
  readonly #server: Server;

  /**
   * `handle` answers each request; when it throws or rejects, the request is answered 500 with
   * `failureBody(thrown)` as JSON (an unanswered request would hang the client under test instead).
   */
  constructor(handle: LocalHandler, failureBody: (thrown: unknown) => unknown = String) {
    this.#server = createServer((req, res) => {
      new Promise<void>((resolve) => resolve(handle(req, res))).catch((thrown: unknown) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify(failureBody(thrown)));
      });
    });
  }

  /** Starts listening; `url` is valid once this resolves. */
  async listen(): Promise<this> {
    this.#server.listen(0, '127.0.0.1');
    await once(this.#server, 'listening');
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /** Cuts open connections (a hung request included) and stops listening. */
  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
