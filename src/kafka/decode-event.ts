import { Result, type Schema } from "effect"
import { describeIssues, makeValidator } from "../domain/validation.ts"
import { parseJson } from "../platform/bounded-json.ts"

const utf8 = new TextDecoder("utf-8", { fatal: true })

/**
 * Decodes a Kafka value with an event schema. The failure is the reason that goes to the dead-letter
 * topic, worded like the HTTP 422 (field: message); it never quotes the value, which the dead letter
 * carries anyway. The JSON is parsed with the same depth bound as HTTP bodies.
 */
export const makeEventDecoder = <S extends Schema.Top & Schema.ConstraintDecoder<unknown>>(schema: S) => {
  const validate = makeValidator(schema)
  return (value: Buffer | null): Result.Result<S["Type"], string> => {
    if (value === null) return Result.fail("the message has no value")
    let text: string
    try {
      text = utf8.decode(value)
    } catch {
      return Result.fail("the value is not UTF-8 text")
    }
    const json = parseJson(text)
    if (Result.isFailure(json)) {
      return Result.fail(json.failure._tag === "TooDeep" ? `the value nests deeper than ${json.failure.limit} levels` : `malformed JSON: ${json.failure.detail}`)
    }
    return Result.mapError(validate(json.success), (issues) => `invalid event: ${describeIssues(issues)}`)
  }
}
