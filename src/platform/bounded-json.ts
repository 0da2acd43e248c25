import { Result } from "effect"
import { truncated } from "./bounded-text.ts"

/**
 * How deeply a request body or an event value may nest. Every Loyaltea document is two or three
 * levels deep; the bound exists because walking, validating and describing a value all cost more
 * with depth (a 100 KB body can nest 50,000 levels).
 */
export const maxJsonDepth = 32

export type JsonRefusal =
  | { readonly _tag: "TooDeep"; readonly limit: number }
  | { readonly _tag: "Malformed"; readonly detail: string }

/**
 * Whether `text` opens more than `limit` arrays or objects inside one another: one pass over the
 * characters, skipping strings, so it costs the same at any depth and walks no value.
 */
export const nestsDeeperThan = (text: string, limit: number): boolean => {
  let depth = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 0x22 /* " */) {
      // To the closing quote; a backslash escapes the character after it.
      for (i++; i < text.length; i++) {
        const s = text.charCodeAt(i)
        if (s === 0x5c /* \ */) i++
        else if (s === 0x22) break
      }
    } else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++depth > limit) return true
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) {
      depth--
    }
  }
  return false
}

/** `JSON.parse`, once the text is known to nest no deeper than `limit`. */
export const parseJson = (text: string, limit = maxJsonDepth): Result.Result<unknown, JsonRefusal> => {
  if (nestsDeeperThan(text, limit)) return Result.fail({ _tag: "TooDeep", limit })
  try {
    return Result.succeed(JSON.parse(text))
  } catch (error) {
    // The engine's message may quote the offending token, which can be as long as the input.
    const unquoted = String((error as Error).message).replace(/\s*["'`].*$/s, "")
    return Result.fail({ _tag: "Malformed", detail: truncated(unquoted, 100) })
  }
}
