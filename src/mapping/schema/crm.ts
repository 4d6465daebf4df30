/**
 * Which CRM a tenant uses and how gridsync connects to it; credentials are references, never values.
 */
import { z } from 'zod';

import { secretRefSchema } from '../../config/secret-ref.ts';

/** An address gridsync sends requests to: http or https only (never file:, ftp:, javascript: …). */
const httpUrl = z.url({ protocol: /^https?$/, error: 'an http:// or https:// URL' });

const hubspotAuthSchema = z.discriminatedUnion('kind', [
  z
    .object({ kind: z.literal('static_token'), token: secretRefSchema })
    .strict()
    .describe('A service key or private-app token.'),
  z
    .object({
      kind: z.literal('oauth'),
      clientId: secretRefSchema,
      clientSecret: secretRefSchema,
      refreshToken: secretRefSchema,
    })
    .strict(),
]);

const salesforceAuthSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('access_token'), instanceUrl: httpUrl, accessToken: secretRefSchema }).strict(),
  z
    .object({
      kind: z.literal('refresh_token'),
      clientId: secretRefSchema,
      clientSecret: secretRefSchema,
      refreshToken: secretRefSchema,
    })
    .strict(),
  z
    .object({
      kind: z.literal('client_credentials'),
      clientId: secretRefSchema,
      clientSecret: secretRefSchema,
    })
    .strict(),
  z
    .object({
      kind: z.literal('jwt_bearer'),
      clientId: secretRefSchema.describe("The connected app's consumer key."),
      username: z
        .string()
        .min(1)
        .describe('The Salesforce username gridsync works as, e.g. gridsync@globex.com.'),
      privateKey: secretRefSchema.describe(
        'The PEM private key whose certificate is uploaded to the connected app ({ file } for a mounted secret).',
      ),
      audience: z
        .url()
        .optional()
        .describe(
          'The JWT aud: https://login.salesforce.com, or https://test.salesforce.com for a sandbox (the default follows baseUrl).',
        ),
    })
    .strict()
    .describe('OAuth 2.0 JWT bearer flow: a signed assertion per token, no refresh token to keep.'),
]);

export const HUBSPOT_PLANS = ['free', 'starter', 'professional', 'enterprise', 'api_addon'] as const;

export const crmSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('hubspot'),
      baseUrl: httpUrl.optional().describe('Override https://api.hubapi.com (sandboxes, proxies, tests).'),
      plan: z
        .enum(HUBSPOT_PLANS)
        .default('starter')
        .describe(
          'Sets the request budget: free/starter 100 per 10 s, professional/enterprise 190, api_addon 250.',
        ),
      requestsPer10Seconds: z
        .number()
        .int()
        .positive()
        .max(1000)
        .optional()
        .describe('Overrides the budget the plan implies.'),
      auth: hubspotAuthSchema
        .optional()
        .describe('Without auth the tenant runs in dry-run mode: writes are planned and shown, not sent.'),
    })
    .strict(),
  z
    .object({
      type: z.literal('salesforce'),
      baseUrl: httpUrl
        .optional()
        .describe('The login or My Domain URL, e.g. https://acme.my.salesforce.com.'),
      apiVersion: z
        .string()
        .regex(/^\d{2,3}\.0$/, 'e.g. "66.0"')
        .default('66.0'),
      auth: salesforceAuthSchema
        .optional()
        .describe('Without auth the tenant runs in dry-run mode: writes are planned and shown, not sent.'),
    })
    .strict()
    .superRefine((crm, context) => {
      // Salesforce serves the client credentials flow only on the org's own My Domain host.
      if (crm.auth?.kind !== 'client_credentials' || isMyDomainUrl(crm.baseUrl)) return;
      context.addIssue({
        code: 'custom',
        path: ['baseUrl'],
        message:
          "client_credentials needs crm.baseUrl set to the org's My Domain URL, e.g. https://globex.my.salesforce.com (Setup → My Domain); login.salesforce.com refuses this flow",
      });
    }),
]);

function isMyDomainUrl(url: string | undefined): boolean {
  if (url === undefined) return false;
  const host = URL.parse(url)?.hostname.toLowerCase() ?? '';
  return host !== 'login.salesforce.com' && host !== 'test.salesforce.com';
}
