import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import type { ServiceName } from "../../src/config/service-name.ts"
import { allServices } from "../auth/all-services.ts"
import { request } from "../support/app.ts"
import { registerTenantsIn } from "../support/tenants.ts"

const portToService: Record<string, ServiceName> = { "9001": "campaign", "9002": "reward", "9003": "fulfillment", "9004": "user" }

interface Example {
  readonly line: number
  readonly method: string
  readonly service: ServiceName
  readonly path: string
  readonly headers: Record<string, string>
  readonly body: string
}

/**
 * Every curl command of the README that sends a body to a service, in the README's order, with
 * the placeholders (`<id>`, `<key>`, `$AUTH`) it cannot run left out: what a reader would paste.
 */
const examples = (readme: string): ReadonlyArray<Example> => {
  const lines = readme.split("\n")
  const found: Array<Example> = []
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]!.startsWith("curl ")) continue
    let command = lines[i]!
    const line = i + 1
    while (command.endsWith("\\")) command = `${command.slice(0, -1)} ${lines[++i]!.trim()}`
    // A body may continue over lines inside its quotes.
    while ((command.match(/'/g) ?? []).length % 2 === 1) command = `${command}\n${lines[++i]!}`
    const url = /'?(?:http:\/\/)?localhost:(900[1-4])(\/[^\s']*)'?/.exec(command)
    const body = /-d '([^']*)'/.exec(command)
    if (!url || !body || url[2]!.includes("<")) continue
    const headers = Object.fromEntries([...command.matchAll(/-H '([^:']+):\s*([^']*)'/g)]
      .filter(([, , value]) => !value!.includes("<"))
      .map(([, name, value]) => [name!.toLowerCase(), value!]))
    const method = /-X (\w+)/.exec(command)?.[1] ?? "POST"
    found.push({ line, method, service: portToService[url[1]!]!, path: url[2]!, headers, body: body[1]! })
  }
  return found
}

describe("the README's examples", () => {
  let services: Awaited<ReturnType<typeof allServices>>

  beforeAll(async () => {
    services = await allServices()
  }, 60_000)
  afterAll(async () => {
    await services?.close()
  })

  test("every curl command with a body is accepted as written, in the README's order", async () => {
    const readme = readFileSync(join(import.meta.dir, "..", "..", "README.md"), "utf8")
    const all = examples(readme)
    expect(all.length).toBeGreaterThan(12)
    const refused: Array<string> = []
    for (const example of all) {
      const response = await request(services.apps[example.service], example.method, example.path, example.body, { ...example.headers, ...services.adminHeaders })
      const text = await response.clone().text()
      // No consumer credits the README's purchases here: its redemption finds the balance still 0.
      const unfunded = example.path.endsWith("/redemptions") && response.status === 409 && text.includes("InsufficientBalance")
      if (response.status >= 300 && !unfunded) refused.push(`README line ${example.line}: ${example.method} ${example.path} → ${response.status} ${(await response.text()).slice(0, 200)}`)
      // The other services learn a new tenant from topic tenant; no consumer runs here, so as if they had.
      if (example.path === "/tenants" && response.status === 201) await registerTenantsIn(services.runtime as never, [JSON.parse(example.body).id])
    }
    expect(refused).toEqual([])
  }, 60_000)
})
