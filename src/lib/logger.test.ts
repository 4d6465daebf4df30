import { describe, expect, it } from 'vitest';

import { capturingLogger } from '../../test/support/loggers.ts';
import { serializeError } from './logger.ts';

describe('serializeError', () => {
  it("keeps what went wrong and drops what was sent: a parse error's raw packet, a client's request config", () => {
    const parse = Object.assign(new Error('Parse Error: Duplicate Content-Length'), {
      code: 'HPE_UNEXPECTED_CONTENT_LENGTH',
      reason: 'Duplicate Content-Length',
      rawPacket: Buffer.from('POST / HTTP/1.1\r\nAuthorization: Bearer secret-token\r\n'),
      config: { headers: { authorization: 'Bearer secret-token' } },
      cause: Object.assign(new Error('inner'), { response: { body: 'secret-token' } }),
    });
    const serialized = serializeError(parse);
    expect(serialized).toMatchObject({
      type: 'Error',
      message: 'Parse Error: Duplicate Content-Length',
      code: 'HPE_UNEXPECTED_CONTENT_LENGTH',
      reason: 'Duplicate Content-Length',
      cause: { type: 'Error', message: 'inner' },
    });
    expect(JSON.stringify(serialized)).not.toContain('secret-token');
  });
});

describe('createLogger', () => {
  it('logs a request as method, path and peer: no headers, no query string', () => {
    const { logger, lines } = capturingLogger('trace');
    logger.info(
      {
        req: {
          method: 'GET',
          url: '/v1/tenants/acme/grids/g1?token=secret-token',
          ip: '127.0.0.1',
          headers: { authorization: 'Bearer secret-token' },
        },
      },
      'incoming request',
    );
    expect(lines[0]?.['req']).toEqual({
      method: 'GET',
      url: '/v1/tenants/acme/grids/g1',
      remoteAddress: '127.0.0.1',
    });
  });
});
