/**
 * No secret in any log line at any level: `gridsync serve` at LOG_LEVEL=trace receives malformed and valid
 * requests carrying known status tokens, webhook secrets and signatures (in headers, bodies, query strings and
 * broken HTTP), and none of them appears in its output, even once every buffer, base64 and hex string in the
 * log is decoded.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { NODE_FLAGS } from '../../src/cli/node-flags.ts';
import { signedWebhookHeaders } from '../../src/intake/sign-webhook.ts';
import { secretsInLog } from '../support/log-leaks.ts';
import { randomWebhookSecret } from '../support/sign-request.ts';
import { ledgerlineGrid, ledgerlineSignals } from '../support/example-payloads.ts';

const folder = mkdtempSync(join(tmpdir(), 'gridsync-log-secrets-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

interface Serving {
  url: string;
  child: ChildProcess;
  output: () => string;
}

async function serveAtTrace(env: Record<string, string>): Promise<Serving> {
  mkdirSync(join(folder, 'mappings'));
  copyFileSync('mappings/acme.yaml', join(folder, 'mappings', 'acme.yaml'));
  const child = spawn(process.execPath, [...NODE_FLAGS, 'src/cli.ts', 'serve'], {
    env: {
      PATH: process.env['PATH'] ?? '',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'trace',
      GRIDSYNC_DATABASE_URL: join(folder, 'gridsync.db'),
      GRIDSYNC_MAPPINGS_DIR: join(folder, 'mappings'),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('latin1')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('latin1')));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gridsync did not start:\n${output}`)), 15_000);
    const poll = setInterval(() => {
      const match = /"url":"(http:\/\/127\.0\.0\.1:\d+)"[^\n]*"msg":"gridsync is running"/.exec(output);
      if (match?.[1]) {
        clearInterval(poll);
        clearTimeout(timer);
        resolve(match[1]);
      }
    }, 50);
  });
  return { url, child, output: () => output };
}

function raw(url: string, bytes: string): Promise<string> {
  const { port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), '127.0.0.1');
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(received));
    socket.write(bytes);
    setTimeout(() => socket.destroy(), 3_000);
  });
}

describe('logs at trace level', () => {
  it('carry no status token, webhook secret or signature, however the request was malformed', async () => {
    const webhookSecret = randomWebhookSecret();
    const otherSecret = randomWebhookSecret();
    const statusToken = `st_${crypto.randomUUID()}`;
    const wrongToken = `st_${crypto.randomUUID()}`;
    const serving = await serveAtTrace({
      ACME_WEBHOOK_SECRET: webhookSecret,
      ACME_STATUS_TOKEN: statusToken,
    });
    const secrets = [
      webhookSecret,
      webhookSecret.slice('whsec_'.length),
      otherSecret,
      statusToken,
      wrongToken,
    ];
    const remember = (headers: Record<string, string>): Record<string, string> => {
      for (const signature of headers['webhook-signature']?.split(' ') ?? []) {
        secrets.push(signature.slice(3));
      }
      return headers;
    };
    const { url } = serving;
    /** POSTs `body` to acme's `kind` endpoint signed with `signedWith`, remembering the signatures: the status. */
    const deliver = async (kind: 'grids' | 'signals', body: string, signedWith: string | string[]) => {
      const headers = remember(signedWebhookHeaders({ secrets: signedWith, body }));
      return (await fetch(`${url}/v1/tenants/acme/${kind}`, { method: 'POST', headers, body })).status;
    };
    try {
      // Valid deliveries, and the status read with the right token, the wrong one, one in a query string.
      const grid = JSON.stringify(ledgerlineGrid());
      const signals = JSON.stringify({ signals: ledgerlineSignals(3) });
      expect(await deliver('grids', grid, webhookSecret)).toBe(202);
      expect(await deliver('signals', signals, [webhookSecret, otherSecret])).toBe(202);
      const statusPath = `/v1/tenants/acme/grids/${ledgerlineGrid().gridId}`;
      for (const token of [statusToken, wrongToken]) {
        await fetch(`${url}${statusPath}`, { headers: { authorization: `Bearer ${token}` } });
      }
      await fetch(`${url}${statusPath}?token=${statusToken}&secret=${encodeURIComponent(webhookSecret)}`);

      // A body that quotes the secret, signed with another one (refused), and with a wrong signature.
      const quoting = JSON.stringify({
        ...ledgerlineGrid(),
        context: { notes: `${webhookSecret} ${statusToken}` },
      });
      expect(await deliver('grids', quoting, otherSecret)).toBe(401);
      const malformed = `{"secret":"${webhookSecret}","token":"${statusToken}"`;
      expect(await deliver('grids', malformed, webhookSecret)).toBe(400);

      // Broken HTTP carrying every secret: Node's parser errors hold the raw bytes (rawPacket) at trace.
      const carried =
        `Authorization: Bearer ${statusToken}\r\nwebhook-signature: v1,${secrets.at(-1)}\r\n` +
        `X-Webhook-Secret: ${webhookSecret}\r\nCookie: t=${wrongToken}\r\n`;
      const body = `{"secret":"${webhookSecret}"}`;
      const broken = [
        `POST /v1/tenants/acme/grids HTTP/1.1\r\nHost: x\r\n${carried}Content-Length: 2\r\nContent-Length: 3\r\n\r\n${body}`,
        `POST /v1/tenants/acme/grids HTTP/1.1\r\nHost: x\r\n${carried}Transfer-Encoding: chunked\r\n\r\nzz\r\n${body}\r\n0\r\n\r\n`,
        `POST /v1/tenants/acme/grids HTTP/1.1\r\nHost: x\r\n${carried}Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n${body}`,
        `GET ${statusPath} HTTP/1.1\r\nHost: x\r\n${carried}X-Bad: a\u0001b\r\n\r\n`,
        `BREW ${statusPath}?token=${statusToken} HTTP/1.1\r\nHost: x\r\n${carried}\r\n`,
        `GET ${statusPath} HTTP/1.1\r\nHost: x\r\n${carried}X-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
        `GET /v1/tenants/acme/grids/%E0%A4%A HTTP/1.1\r\nHost: x\r\n${carried}Connection: close\r\n\r\n`,
        `GET /v1/tenants/acme/grids/${'g'.repeat(300)} HTTP/1.1\r\nHost: x\r\n${carried}Connection: close\r\n\r\n`,
        `POST /v1/tenants/acme/grids HTTP/1.1\r\nHost: x\r\n${carried}Content-Length: 500\r\n\r\n${body}`,
      ];
      for (const request of broken) expect(await raw(url, request)).toMatch(/^HTTP\/1\.1 4\d\d /);
      // Give the worker a moment to log its dry-run sync of what was accepted.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
    } finally {
      serving.child.kill('SIGTERM');
      await new Promise((resolve) => serving.child.once('exit', resolve));
    }

    const lines = serving
      .output()
      .split('\n')
      .filter((line) => line.trim() !== '');
    expect(secretsInLog(lines, secrets)).toEqual([]);
    // The test saw what it meant to: trace lines, the parser's refusals, the accepted deliveries.
    expect(lines.some((line) => line.includes('"level":20'))).toBe(true);
    expect(
      lines.filter((line) => line.includes('HTTP request refused by the parser')).length,
    ).toBeGreaterThanOrEqual(5);
    expect(lines.filter((line) => line.includes('delivery accepted')).length).toBe(2);
  }, 60_000);
});
