/** RFC 4180 as the exports write it, to cells: quoted cells may hold separators, quotes (doubled) and line breaks. */
export const parseCsv = (text: string): Array<Array<string>> => {
  const rows: Array<Array<string>> = []
  let row: Array<string> = []
  let cell = ""
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (cell += '"', i++)
      else if (c === '"') quoted = false
      else cell += c
    } else if (c === '"') quoted = true
    else if (c === ",") (row.push(cell), (cell = ""))
    else if (c === "\r" && text[i + 1] === "\n") (row.push(cell), rows.push(row), (row = []), (cell = ""), i++)
    else cell += c
  }
  return rows
}

/** The rows after the header line, as records by the header's names. */
export const csvRecords = (text: string): Array<Record<string, string>> => {
  const [head, ...body] = parseCsv(text)
  return body.map((cells) => Object.fromEntries(head!.map((name, i) => [name, cells[i] ?? ""])))
}
