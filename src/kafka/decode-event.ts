import { Result, Schema } from "effect"

const utf8 = new TextDecoder("utf-8", { fatal: true })

const describeIssues = (issues: ReadonlyArray<{ readonly path?: ReadonlyArray<unknown> | undefined; readonly message: string }>) =>
  issues
    .map((issue) => {
      const path = (issue.path ?? []).map((key) => (typeof key === "object" && key !== null && "key" in key ? (key as { key: unknown }).key : key))
      return path.length > 0 ? `${path.map(String).join(".")}: ${issue.message}` : issue.message
    })
    .join("; ")

/**
 * Decodes a Kafka value with an event schema. The failure is the reason that goes to the dead-letter
 * topic, worded like the HTTP 422 (field: message).
 */
export const makeEventDecoder = <S extends Schema.Top & Schema.ConstraintDecoder<unknown>>(schema: S) => {
  const validate = Schema.toStandardSchemaV1(schema)["~standard"].validate
  return (value: Buffer | null): Result.Result<S["Type"], string> => {
    if (value === null) return Result.fail("the message has no value")
    let text: string
    try {
      text = utf8.decode(value)
    } catch {
      return Result.fail("the value is not UTF-8 text")
    }
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch (error) {
      return Result.fail(`malformed JSON: ${(error as Error).message}`)
    }
    const outcome = validate(json)
    if (outcome instanceof Promise) return Result.fail("the event schema cannot be checked synchronously")
    return outcome.issues ? Result.fail(`invalid event: ${describeIssues(outcome.issues)}`) : Result.succeed(outcome.value as S["Type"])
  }
}
