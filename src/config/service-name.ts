import { Schema } from "effect"

/** The four Loyaltea services, in port order. */
export const serviceNames = ["campaign", "reward", "fulfillment", "user"] as const

export const ServiceName = Schema.Literals(serviceNames)
export type ServiceName = typeof ServiceName.Type

export const defaultPorts: Record<ServiceName, number> = {
  campaign: 9001,
  reward: 9002,
  fulfillment: 9003,
  user: 9004
}

/** Environment variable naming each service's HTTP port. */
export const portVariable = (name: ServiceName): string => `${name.toUpperCase()}_PORT`
