import { Kafka, logLevel, Partitioners } from "kafkajs"
import type { ApiServiceName } from "../../src/config/service-name.ts"
import { testAdmin } from "./process.ts"

const json = { "content-type": "application/json" }

// One login per user service, as an operator's tooling would keep its session.
const sessions = new Map<number, Promise<string>>()
const adminToken = (userPort: number) => {
  const existing = sessions.get(userPort)
  if (existing) return existing
  const token = fetch(`http://127.0.0.1:${userPort}/auth/login`, { method: "POST", headers: json, body: JSON.stringify(testAdmin) }).then(async (response) => {
    if (response.status !== 200) throw new Error(`login → ${response.status} ${await response.text()}`)
    return ((await response.json()) as { accessToken: string }).accessToken
  })
  sessions.set(userPort, token)
  token.catch(() => sessions.delete(userPort))
  return token
}

/** HTTP calls against a running process's services, as its platform admin (or with the given headers). */
export const api = (lt: { readonly ports: Readonly<Record<ApiServiceName, number>> & { readonly console?: number } }, headers?: Record<string, string>) => {
  const call = async (service: ApiServiceName | "console", method: string, path: string, body?: unknown, extraHeaders: Record<string, string> = {}) => {
    const credential = headers ?? { authorization: `Bearer ${await adminToken(lt.ports.user)}` }
    const response = await fetch(`http://127.0.0.1:${lt.ports[service]}${path}`, {
      method,
      headers: { ...json, ...credential, ...extraHeaders },
      body: body === undefined ? undefined : JSON.stringify(body),
      // A service that stopped answering fails the test's call instead of hanging it.
      signal: AbortSignal.timeout(30_000)
    })
    const text = await response.text()
    return { status: response.status, body: text ? JSON.parse(text) : undefined }
  }
  return {
    call,
    /** Creates and insists it worked, so a scenario never runs on a half-made set-up. */
    create: async (service: ApiServiceName, path: string, body: unknown) => {
      const response = await call(service, "POST", path, body)
      if (response.status !== 201) throw new Error(`POST ${path} → ${response.status} ${JSON.stringify(response.body)}`)
      return response.body
    },
    balances: async (tenant: string): Promise<Record<string, number>> => {
      const response = await call("reward", "GET", `/user-rewards/?tenant=${tenant}&limit=1000`)
      return Object.fromEntries((response.body as Array<{ user_id: string; points: number }>).map((b) => [b.user_id, b.points]))
    }
  }
}

export const kafkaClient = (brokers: string) => new Kafka({ clientId: "loyaltea-test", brokers: [brokers], logLevel: logLevel.NOTHING })

/** Produces JSON values (or raw strings) to a topic with keys `tenant:userId`, acks=all. */
export const produce = async (brokers: string, topic: string, values: ReadonlyArray<unknown>) => {
  const producer = kafkaClient(brokers).producer({ createPartitioner: Partitioners.DefaultPartitioner })
  await producer.connect()
  try {
    for (let i = 0; i < values.length; i += 1000) {
      await producer.send({
        topic,
        acks: -1,
        messages: values.slice(i, i + 1000).map((value) => {
          const v = value as { tenant?: string; userId?: string }
          return { key: v.tenant && v.userId ? `${v.tenant}:${v.userId}` : null, value: typeof value === "string" ? value : JSON.stringify(value) }
        })
      })
    }
  } finally {
    await producer.disconnect()
  }
}

/** Produces one line per message with kcat (librdkafka), as a shop's tooling would. */
export const kcatProduce = async (brokers: string, topic: string, lines: ReadonlyArray<string>) => {
  const proc = Bun.spawn(["kcat", "-P", "-b", brokers, "-t", topic, "-X", "acks=all"], { stdin: "pipe", stdout: "pipe", stderr: "pipe" })
  proc.stdin.write(lines.join("\n") + "\n")
  proc.stdin.end()
  const code = await proc.exited
  if (code !== 0) throw new Error(`kcat exited ${code}: ${await new Response(proc.stderr).text()}`)
}

/** Reads everything currently on a topic (from the beginning) with a throwaway consumer group. */
export const readTopic = async (brokers: string, topic: string, expected: number, timeoutMs = 30_000) => {
  const consumer = kafkaClient(brokers).consumer({ groupId: `test-reader-${crypto.randomUUID()}`, maxWaitTimeInMs: 100 })
  const values: Array<{ key: string | null; value: string }> = []
  await consumer.connect()
  await consumer.subscribe({ topic, fromBeginning: true })
  await consumer.run({ eachMessage: async ({ message }) => void values.push({ key: message.key?.toString() ?? null, value: message.value?.toString() ?? "" }) })
  const deadline = Date.now() + timeoutMs
  while (values.length < expected && Date.now() < deadline) await Bun.sleep(100)
  await consumer.disconnect()
  return values
}

/** Polls until `check` holds (or the deadline passes), returning the last value seen. */
export const eventually = async <A>(read: () => Promise<A>, check: (value: A) => boolean, timeoutMs = 30_000): Promise<A> => {
  const deadline = Date.now() + timeoutMs
  let value = await read()
  while (!check(value) && Date.now() < deadline) {
    await Bun.sleep(100)
    value = await read()
  }
  return value
}

/** Whether every group has committed the end of every partition of its topics (all caught up). */
export const groupsCaughtUp = async (brokers: string, groups: ReadonlyArray<{ groupId: string; topics: ReadonlyArray<string> }>) => {
  const admin = kafkaClient(brokers).admin()
  await admin.connect()
  try {
    for (const group of groups) {
      for (const topic of group.topics) {
        const ends = await admin.fetchTopicOffsets(topic)
        const [committed] = await admin.fetchOffsets({ groupId: group.groupId, topics: [topic] })
        for (const end of ends) {
          const at = committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? "-1"
          if (end.high !== "0" && at !== end.high) return false
        }
      }
    }
    return true
  } finally {
    await admin.disconnect()
  }
}

export const loyalteaGroups = [
  { groupId: "loyaltea-fulfillment", topics: ["buy", "activity", "refund"] },
  { groupId: "loyaltea-campaign", topics: ["fulfillment", "fulfillment-revoked"] },
  { groupId: "loyaltea-reward", topics: ["reward", "reward-revoked"] }
] as const

/** The groups that keep each consuming service's copies of other services' data. */
export const mirrorGroups = [
  { groupId: "loyaltea-fulfillment-tenants", topics: ["tenant"] },
  { groupId: "loyaltea-campaign-tenants", topics: ["tenant"] },
  { groupId: "loyaltea-reward-tenants", topics: ["tenant"] },
  { groupId: "loyaltea-campaign-reward-definitions", topics: ["reward-definition"] }
] as const

/** Every group of a process that runs all four services. */
export const allLoyalteaGroups = [...loyalteaGroups, ...mirrorGroups]

/**
 * Rewinds every Loyaltea consumer group (or those given) to offset 0 of its topics (the processes must be stopped):
 * joins each group as its only member and commits 0 for every partition.
 */
export const rewindGroups = async (brokers: string, groups: ReadonlyArray<{ readonly groupId: string; readonly topics: ReadonlyArray<string> }> = allLoyalteaGroups) => {
  const kafka = kafkaClient(brokers)
  await Promise.all(groups.map(async (group) => {
    const consumer = kafka.consumer({ groupId: group.groupId, maxWaitTimeInMs: 100 })
    await consumer.connect()
    try {
      const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()))
      await consumer.subscribe({ topics: [...group.topics], fromBeginning: true })
      // Nothing is consumed: the batches are left unresolved and the offsets are set explicitly.
      await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: async () => {} })
      await joined
      const admin = kafka.admin()
      await admin.connect()
      const partitions = await Promise.all(group.topics.map(async (topic) => ({ topic, offsets: await admin.fetchTopicOffsets(topic) })))
      await admin.disconnect()
      await consumer.commitOffsets(partitions.flatMap(({ topic, offsets }) => offsets.map((p) => ({ topic, partition: p.partition, offset: "0" }))))
    } finally {
      await consumer.disconnect()
    }
  }))
}
