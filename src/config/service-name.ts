import { Schema } from "effect"

/** The four Loyaltea services with an API of their own, in port order. */
export const apiServiceNames = ["campaign", "reward", "fulfillment", "user"] as const
export type ApiServiceName = (typeof apiServiceNames)[number]

/** What `LOYALTEA_SERVICES` can name: the four services, and the web console over their APIs. */
export const serviceNames = [...apiServiceNames, "console"] as const

export const ServiceName = Schema.Literals(serviceNames)
export type ServiceName = typeof ServiceName.Type

export const defaultPorts: Record<ServiceName, number> = {
  campaign: 9001,
  reward: 9002,
  fulfillment: 9003,
  user: 9004,
  console: 9000
}

/** Environment variable naming each service's HTTP port. */
export const portVariable = (name: ServiceName): string => `${name.toUpperCase()}_PORT`
