import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { randomUUID } from "node:crypto"
import { Effect } from "effect"
import { Database } from "../../../src/db/database.ts"
import { stoppedFailure } from "../../../src/imports/liveness.ts"
import { sweepStaleJobs } from "../../../src/imports/repo.ts"
import { eventually } from "../../support/flow.ts"
import { type Harness, lifecycleHarness } from "../lifecycle/harness.ts"

const json = async (response: Response) => (await response.json()) as any

describe("the sweep of imports whose process stopped", () => {
  let h: Harness
  const sweep = (staleSeconds: number) =>
    h.runtime.runPromise(Effect.flatMap(Effect.service(Database), (db) => sweepStaleJobs(db.sql, "reward", staleSeconds, stoppedFailure(staleSeconds))))
  const jobs = async () =>
    Object.fromEntries((await (await h.sql())<Array<{ id: string; status: string; failure: string | null }>>`select id::text, status, failure from reward.imports`).map((j) => [j.id, j]))

  beforeAll(async () => {
    h = await lifecycleHarness(["sweep-a", "sweep-b"])
  }, 60_000)
  afterAll(async () => {
    await h?.close()
  })

  test("only running jobs untouched past the horizon are failed, of every tenant, each once; fresh and ended ones are left alone", async () => {
    const sql = await h.sql()
    const ids = { staleA: randomUUID(), staleB: randomUUID(), fresh: randomUUID(), finished: randomUUID() }
    await sql`
      insert into reward.imports (id, tenant, kind, status, updated_at) values
        (${ids.staleA}, 'sweep-a', 'opening-balances', 'running', now() - interval '90 seconds'),
        (${ids.staleB}, 'sweep-b', 'opening-balances', 'running', now() - interval '61 seconds'),
        (${ids.fresh}, 'sweep-a', 'opening-balances', 'running', now() - interval '30 seconds'),
        (${ids.finished}, 'sweep-a', 'opening-balances', 'finished', now() - interval '1 day')`
    const swept = await sweep(60)
    expect(swept.sort((a, b) => a.tenant.localeCompare(b.tenant))).toEqual([{ id: ids.staleA, tenant: "sweep-a" }, { id: ids.staleB, tenant: "sweep-b" }])
    const after = await jobs()
    expect(after[ids.staleA]).toMatchObject({ status: "failed", failure: stoppedFailure(60) })
    expect(after[ids.staleB]).toMatchObject({ status: "failed" })
    expect(after[ids.fresh]).toMatchObject({ status: "running", failure: null })
    expect(after[ids.finished]).toMatchObject({ status: "finished", failure: null })
    expect(await sweep(60)).toEqual([])
    // A swept job is one that a re-post with its id starts over.
    const again = await json(await h.app.handle(new Request(`http://localhost/imports/opening-balances?tenant=sweep-b&id=${ids.staleB}`, {
      method: "POST", headers: { "content-type": "text/csv" }, body: "userId,points\nre-posted,2\n"
    })))
    expect(again).toMatchObject({ id: ids.staleB, status: "finished", applied: 1, failure: null })
  })

  test("a run whose job was swept under it (its process stalled past the horizon) applies no further batch: 409, the job stays failed", async () => {
    const id = randomUUID()
    const encoder = new TextEncoder()
    let release: () => void = () => {}
    const held = new Promise<void>((resolve) => (release = resolve))
    let step = 0
    const body = new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        if (step === 0) controller.enqueue(encoder.encode(`userId,points\n${Array.from({ length: 1500 }, (_, i) => `stalled-${i},1\n`).join("")}`))
        else if (step === 1) {
          await held
          controller.enqueue(encoder.encode(Array.from({ length: 1000 }, (_, i) => `stalled-${1500 + i},1\n`).join("")))
        } else controller.close()
        step++
      }
    }, { highWaterMark: 0 })
    const answer = h.app.handle(new Request(`http://localhost/imports/opening-balances?tenant=sweep-a&id=${id}`, {
      method: "POST", headers: { "content-type": "text/csv" }, body, duplex: "half"
    } as RequestInit))
    const sql = await h.sql()
    await eventually(async () => (await sql`select rows_applied::int as n from reward.imports where id = ${id}`)[0]?.n ?? 0, (n) => n === 1000, 20_000)
    // As if no heartbeat had reached the database for longer than the horizon.
    await sql`update reward.imports set updated_at = now() - interval '2 minutes' where id = ${id}`
    expect(await sweep(60)).toEqual([{ id, tenant: "sweep-a" }])
    release()
    const response = await answer
    expect(response.status).toBe(409)
    expect((await json(response)).message).toContain("marked failed while it ran")
    const [job] = await sql<Array<{ status: string; applied: number; failure: string }>>`select status, rows_applied::int as applied, failure from reward.imports where id = ${id}`
    expect(job).toEqual({ status: "failed", applied: 1000, failure: stoppedFailure(60) })
    const [{ lots }] = (await sql<Array<{ lots: number }>>`select count(*)::int as lots from reward.lots where tenant = 'sweep-a' and user_id like 'stalled-%'`) as unknown as [{ lots: number }]
    expect(lots).toBe(1000)
  })
})
