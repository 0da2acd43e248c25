import { Elysia } from "elysia"
import postgres from "postgres"

/**
 * The ceiling of a balance read on this machine: a bare Elysia route doing the same point read
 * with postgres.js (prepared statement, no authentication, no schema validation, no Effect), in
 * a process of its own like the service. Started by bench/read.ts with the database URL and port.
 */
const [url, port, poolSize] = [process.argv[2]!, Number(process.argv[3]), Number(process.argv[4] ?? 10)]
const sql = postgres(url, { max: poolSize, onnotice: () => {} })
new Elysia()
  .get("/user-rewards/:userId/", async ({ params, query }) => {
    const [row] = await sql<Array<{ points: number }>>`select points::float8 as points from reward.balances where tenant = ${query.tenant ?? ""} and user_id = ${params.userId}`
    return { tenant: query.tenant, user_id: params.userId, points: row?.points ?? 0 }
  })
  .listen({ hostname: "127.0.0.1", port })
console.log("ceiling listening")
