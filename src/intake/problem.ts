/**
 * RFC 9457 problem details: every refusal the intake sends has this one shape, with a stable `code` from the
 * catalogue and, for validation, one JSON pointer per bad field.
 */
import type { FastifyReply } from 'fastify';
import type { z } from 'zod';

import { INTAKE_ERRORS, type IntakeErrorCode, problemType } from './intake-errors.ts';

export interface FieldError {
  /** RFC 6901 JSON pointer into the request body, e.g. "/account/domain" or "/signals/3/occurredAt". */
  pointer: string;
  message: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: IntakeErrorCode;
  instance?: string;
  errors?: FieldError[];
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

export function problem(
  code: IntakeErrorCode,
  detail: string,
  extras: { instance?: string; errors?: FieldError[] } = {},
): Problem {
  const { status, title } = INTAKE_ERRORS[code];
  return { type: problemType(code), title, status, detail, code, ...extras };
}

export function sendProblem(
  reply: FastifyReply,
  code: IntakeErrorCode,
  detail: string,
  extras: { errors?: FieldError[]; headers?: Record<string, string> } = {},
): FastifyReply {
  const body = problem(code, detail, {
    instance: reply.request.url,
    ...(extras.errors === undefined ? {} : { errors: extras.errors }),
  });
  if (extras.headers) void reply.headers(extras.headers);
  return reply.code(body.status).type(PROBLEM_CONTENT_TYPE).send(body);
}

export function jsonPointer(path: readonly PropertyKey[]): string {
  return path.map((segment) => '/' + String(segment).replaceAll('~', '~0').replaceAll('/', '~1')).join('');
}

/** Every zod issue as a field error; an unknown key becomes its own pointer so the sender sees which one. */
export function fieldErrors(issues: readonly z.core.$ZodIssue[]): FieldError[] {
  const errors: FieldError[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        errors.push({
          pointer: jsonPointer([...issue.path, key]),
          message: 'unknown field: remove it or check its spelling',
        });
      }
    } else {
      errors.push({ pointer: jsonPointer(issue.path), message: issue.message });
    }
  }
  return errors;
}

/** 400 payload_invalid listing every bad field; `contract` names what the body should have been. */
export function sendInvalidPayload(
  reply: FastifyReply,
  issues: readonly z.core.$ZodIssue[],
  contract: string,
): FastifyReply {
  const errors = fieldErrors(issues);
  const count = errors.length === 1 ? '1 field does' : `${errors.length} fields do`;
  return sendProblem(reply, 'payload_invalid', `${count} not match the ${contract} contract`, { errors });
}
