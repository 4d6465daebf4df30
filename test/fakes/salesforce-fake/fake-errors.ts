/**
 * Salesforce's two error shapes: a refused request answers `[{ message, errorCode, fields? }]` with a 4xx
 * status; a refused record inside a collections answer is `{ success: false, errors: [{ statusCode,
 * message, fields }] }` (note `statusCode`, not `errorCode`).
 */
export interface FakeAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Raw text instead of JSON (SOAP answers). */
  text?: string;
}

export interface RecordError {
  statusCode: string;
  message: string;
  fields: string[];
}

/** A whole request refused; handlers throw it and the server answers it. */
export class RequestRefusal extends Error {
  readonly status: number;
  readonly errorCode: string;
  readonly fields: string[] | undefined;

  constructor(status: number, errorCode: string, message: string, fields?: string[]) {
    super(message);
    this.status = status;
    this.errorCode = errorCode;
    this.fields = fields;
  }

  answer(): FakeAnswer {
    return {
      status: this.status,
      body: [
        { message: this.message, errorCode: this.errorCode, ...(this.fields ? { fields: this.fields } : {}) },
      ],
    };
  }
}

/** A record refused; collections report it in the record's slot, single-record calls as a 400. */
export class RecordRefusal extends Error {
  readonly errors: RecordError[];

  constructor(statusCode: string, message: string, fields: string[] = []) {
    super(message);
    this.errors = [{ statusCode, message, fields }];
  }

  result(): { success: false; errors: RecordError[] } {
    return { success: false, errors: this.errors };
  }

  /** A single-record endpoint answers the record's errors as a request-level 400. */
  answer(): FakeAnswer {
    return {
      status: 400,
      body: this.errors.map((e) => ({ message: e.message, errorCode: e.statusCode, fields: e.fields })),
    };
  }
}

export function noSuchColumn(object: string, field: string): RequestRefusal {
  return new RequestRefusal(400, 'INVALID_FIELD', `No such column '${field}' on sobject of type ${object}`);
}

/** An object the org lacks, or that the user cannot see, named in a URL. */
export function resourceNotFound(): RequestRefusal {
  return new RequestRefusal(404, 'NOT_FOUND', 'The requested resource does not exist');
}

/** An object the org lacks, or that the user cannot see, named in a body or a query. */
export function unsupportedType(object: string): RequestRefusal {
  return new RequestRefusal(
    400,
    'INVALID_TYPE',
    `sObject type '${object}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`,
  );
}
