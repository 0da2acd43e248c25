import { Partitioners } from "kafkajs"
import { kafkaClient } from "./flow.ts"

export interface Purchase {
  readonly tenant: string
  readonly product: string
  readonly amount: number
  readonly userId: string
  readonly eventId: string
}

export interface PurchaseStream {
  /** Purchases Kafka has acknowledged (each id once), whichever way they went in. */
  readonly accepted: () => ReadonlyArray<Purchase>
  /** `POST /events/buy` answers other than 202 (each retried with the same ids until accepted). */
  readonly refusals: () => number
  /**
   * Stops both producers after their current request (retried until accepted) and waits for
   * them; fails if that takes longer than `timeoutMs`, since the system then accepts nothing.
   */
  stop(timeoutMs?: number): Promise<void>
}

export interface PurchaseStreamOptions {
  readonly tenant: string
  readonly users: ReadonlyArray<string>
  readonly brokers: string
  /** `POST /events/buy` on the fulfillment service, with an API key allowed to write events. */
  readonly ingestUrl: string
  readonly apiKey: string
  /** Purchases per Kafka request and per HTTP request, and the pause between requests. */
  readonly perRequest?: number
  readonly pauseMs?: number
}

/**
 * Purchases, every one qualifying, streamed two ways at once as shops send them: produced to
 * `buy` with kafkajs, and posted to `POST /events/buy` with an API key. Every purchase has its own
 * event id, and a refused or failed request is retried with the same ids, so what Kafka holds
 * is known exactly even when a request's outcome was not.
 */
export const startPurchaseStream = async (options: PurchaseStreamOptions): Promise<PurchaseStream> => {
  const perRequest = options.perRequest ?? 10
  const pauseMs = options.pauseMs ?? 50
  const accepted = new Map<string, Purchase>()
  let refusals = 0
  let stopping = false
  let next = 0
  const batch = (via: string): Array<Purchase> =>
    Array.from({ length: perRequest }, () => {
      const n = next++
      return { tenant: options.tenant, product: "bread", amount: 10 + (n % 5), userId: options.users[n % options.users.length]!, eventId: `${via}-${n}` }
    })
  const accept = (purchases: ReadonlyArray<Purchase>) => {
    for (const purchase of purchases) accepted.set(purchase.eventId, purchase)
  }

  const producer = kafkaClient(options.brokers).producer({ createPartitioner: Partitioners.DefaultPartitioner })
  await producer.connect()
  const viaKafka = (async () => {
    while (!stopping) {
      const purchases = batch("kafka")
      for (;;) {
        try {
          await producer.send({
            topic: "buy",
            acks: -1,
            messages: purchases.map((p) => ({ key: `${p.tenant}:${p.userId}`, value: JSON.stringify(p) }))
          })
          accept(purchases)
          break
        } catch {
          await Bun.sleep(200)
        }
      }
      await Bun.sleep(pauseMs)
    }
  })()

  const viaHttp = (async () => {
    while (!stopping) {
      const purchases = batch("http")
      for (;;) {
        const status = await fetch(options.ingestUrl, {
          method: "POST",
          headers: { "content-type": "application/json", "x-api-key": options.apiKey },
          body: JSON.stringify(purchases),
          signal: AbortSignal.timeout(5000)
        }).then((response) => response.status, () => 0)
        if (status === 202) {
          accept(purchases)
          break
        }
        refusals++
        await Bun.sleep(200)
      }
      await Bun.sleep(pauseMs)
    }
  })()

  return {
    accepted: () => [...accepted.values()],
    refusals: () => refusals,
    stop: async (timeoutMs = 60_000) => {
      stopping = true
      let timer: Timer | undefined
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`purchases were still refused ${timeoutMs} ms after the stream was asked to stop`)), timeoutMs)
      })
      try {
        await Promise.race([Promise.all([viaKafka, viaHttp]), timeout])
      } finally {
        clearTimeout(timer)
      }
      await producer.disconnect()
    }
  }
}

/** What the reward service should show: `points` per accepted purchase, per user. */
export const balancesFor = (purchases: ReadonlyArray<Purchase>, points: number) => {
  const expected: Record<string, number> = {}
  for (const purchase of purchases) expected[purchase.userId] = (expected[purchase.userId] ?? 0) + points
  return expected
}
