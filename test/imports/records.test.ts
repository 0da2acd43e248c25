import { describe, expect, test } from "bun:test"
import { csvRecords, maxRecordChars, ndjsonRecords, type RawRecord } from "../../src/imports/records.ts"

const all = (parser: ReturnType<typeof csvRecords>, pieces: ReadonlyArray<string>): Array<RawRecord> => [...pieces.flatMap((piece) => parser.push(piece)), ...parser.end()]

const text = 'userId,points,reason\r\nada,1.5,"said ""hi"", then\r\nleft"\r\nlee,2,\n"",3,x\n"zed""",4,"a""b"\r\n'

describe("CSV records read as the body arrives", () => {
  test("quoted cells hold separators, doubled quotes and line breaks; lines are where each record starts", () => {
    expect(all(csvRecords(), [text])).toEqual([
      { line: 1, values: ["userId", "points", "reason"] },
      { line: 2, values: ["ada", "1.5", 'said "hi", then\r\nleft'] },
      { line: 4, values: ["lee", "2", ""] },
      { line: 5, values: ["", "3", "x"] },
      { line: 6, values: ['zed"', "4", 'a"b'] }
    ])
  })

  test("cut into pieces at every position (a doubled quote, a CRLF split in two), the records are the same", () => {
    const whole = all(csvRecords(), [text])
    for (let cut = 1; cut < text.length; cut++) {
      expect(all(csvRecords(), [text.slice(0, cut), text.slice(cut)])).toEqual(whole)
    }
    expect(all(csvRecords(), text.split(""))).toEqual(whole)
  })

  test("malformed records are refused with the reason and the next record is read; an overlong one is cut off, not kept", () => {
    const records = all(csvRecords(), ['a,b"c\n"x"y,1\n"open,2\n'])
    expect(records).toEqual([
      { line: 1, refused: expect.stringContaining("quote inside an unquoted cell") },
      { line: 2, refused: expect.stringContaining("followed by text") },
      { line: 3, refused: expect.stringContaining("not closed") }
    ])
    const long = all(csvRecords(), [`${"x".repeat(maxRecordChars + 10)},1\nok,2\n`])
    expect(long).toEqual([{ line: 1, refused: expect.stringContaining("longer than") }, { line: 2, values: ["ok", "2"] }])
  })
})

describe("NDJSON records", () => {
  test("one object per line, blank lines skipped, a bad line refused with its number, pieces anywhere", () => {
    const body = '{"userId":"a","points":"1"}\n\n{bad\r\n[1]\n{"userId":"b","points":2}'
    const expected = [
      { line: 1, values: { userId: "a", points: "1" } },
      { line: 3, refused: "the line is not valid JSON" },
      { line: 4, refused: "the line is not a JSON object" },
      { line: 5, values: { userId: "b", points: 2 } }
    ]
    for (let cut = 1; cut < body.length; cut++) {
      const parser = ndjsonRecords()
      expect([...parser.push(body.slice(0, cut)), ...parser.push(body.slice(cut)), ...parser.end()]).toEqual(expected)
    }
  })
})
