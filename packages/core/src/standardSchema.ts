/**
 * The Standard Schema v1 interface (https://standardschema.dev), copied as a type as the spec
 * intends, so Chronicle accepts valibot, zod, arktype and any other compliant validator without
 * a runtime dependency on any of them.
 */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  readonly '~standard': StandardSchemaV1.Props<Input, Output>
}

// eslint-disable-next-line @typescript-eslint/no-namespace
export declare namespace StandardSchemaV1 {
  export interface Props<Input = unknown, Output = Input> {
    readonly version: 1
    readonly vendor: string
    readonly validate: (value: unknown) => Result<Output> | Promise<Result<Output>>
    readonly types?: Types<Input, Output> | undefined
  }
  export type Result<Output> = SuccessResult<Output> | FailureResult
  export interface SuccessResult<Output> {
    readonly value: Output
    readonly issues?: undefined
  }
  export interface FailureResult {
    readonly issues: ReadonlyArray<Issue>
  }
  export interface Issue {
    readonly message: string
    readonly path?: ReadonlyArray<PropertyKey | PathSegment> | undefined
  }
  export interface PathSegment {
    readonly key: PropertyKey
  }
  export interface Types<Input = unknown, Output = Input> {
    readonly input: Input
    readonly output: Output
  }
  export type InferInput<Schema extends StandardSchemaV1> = NonNullable<Schema['~standard']['types']>['input']
  export type InferOutput<Schema extends StandardSchemaV1> = NonNullable<Schema['~standard']['types']>['output']
}

/** One schema issue in a plain, serialisable form: a message and a dotted path. */
export interface SchemaIssue {
  readonly message: string
  readonly path: string
}

/** Turns a Standard Schema validator's issues into plain, serialisable `SchemaIssue`s (a message and a dotted path each). */
export function toSchemaIssues(issues: ReadonlyArray<StandardSchemaV1.Issue>): SchemaIssue[] {
  return issues.map((issue) => ({
    message: issue.message,
    path: (issue.path ?? [])
      .map((segment) => String(typeof segment === 'object' ? segment.key : segment))
      .join('.'),
  }))
}

export type ValidationOutcome<T> = { ok: true; value: T } | { ok: false; issues: SchemaIssue[] }

function outcome<T>(result: StandardSchemaV1.Result<T>): ValidationOutcome<T> {
  return result.issues ? { ok: false, issues: toSchemaIssues(result.issues) } : { ok: true, value: result.value }
}

/**
 * Validates with any Standard Schema. Stays synchronous when the validator is (valibot, zod's
 * sync schemas), so the dispatch path pays for no extra microtask; returns a promise otherwise.
 */
export function validateSchema<T>(
  schema: StandardSchemaV1<unknown, T>,
  value: unknown,
): ValidationOutcome<T> | Promise<ValidationOutcome<T>> {
  const result = schema['~standard'].validate(value)
  return result instanceof Promise ? result.then(outcome) : outcome(result)
}
