import { describe, expect, test } from "bun:test"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { allTopics, ingressTopics, internalTopics } from "../../src/events/topics.ts"
import { aclCommands } from "../../src/kafka/acls.ts"

const plan = { services: "User:loyaltea", shops: ["User:shop-meiwei"], readers: ["User:notifier"], groupPrefix: "loyaltea-" }
const topicsOf = (line: string) => [...line.matchAll(/--topic (\S+)/g)].map((m) => m[1]!)
const principalOf = (line: string) => /--allow-principal (\S+)/.exec(line)![1]!

describe("the Kafka ACLs of a production cluster", () => {
  const lines = aclCommands(plan)

  test("only the services may write an internal topic; a shop may write the ingress topics and nothing else", () => {
    const writers = (topic: string) => lines.filter((l) => / --operation Write /.test(l) && topicsOf(l).includes(topic)).map(principalOf)
    for (const topic of internalTopics) expect({ topic, writers: writers(topic) }).toEqual({ topic, writers: ["User:loyaltea"] })
    for (const topic of ingressTopics) expect({ topic, writers: writers(topic).sort() }).toEqual({ topic, writers: ["User:loyaltea", "User:shop-meiwei"] })
    expect(new Set([...ingressTopics, ...internalTopics])).toEqual(new Set(allTopics))
    const shop = lines.filter((l) => principalOf(l) === "User:shop-meiwei")
    expect(shop.flatMap(topicsOf).sort()).toEqual([...ingressTopics].sort())
    expect(shop.join(" ")).not.toContain("--operation Read")
  })

  test("the services may use every topic they create and every group of their prefix; a reader reads reward-notify only", () => {
    const services = lines.filter((l) => principalOf(l) === "User:loyaltea")
    expect(new Set(services.flatMap(topicsOf))).toEqual(new Set(allTopics))
    expect(services.some((l) => l.includes("--resource-pattern-type prefixed --group loyaltea-"))).toBe(true)
    const reader = lines.filter((l) => principalOf(l) === "User:notifier")
    expect(reader.flatMap(topicsOf)).toEqual(["reward-notify", "reward-notify.dlq"])
    expect(reader.join(" ")).not.toContain("--operation Write")
  })

  test("the README shows exactly the commands `bun run kafka-acls` prints for its example", () => {
    const readme = readFileSync(join(import.meta.dir, "..", "..", "README.md"), "utf8")
    const shown = readme.split("\n").filter((line) => line.startsWith("kafka-acls.sh "))
    expect(shown).toEqual([...lines])
  })
})
