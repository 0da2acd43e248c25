import { Schema } from "effect"
import { Tenant, UserId } from "../../src/domain/primitives.ts"

export const tenant = Schema.decodeSync(Tenant)
export const userId = Schema.decodeSync(UserId)
