import { Context, Layer } from "effect"

/**
 * `starting`: joining its group for the first time; `running`: consuming; `stalled`: a batch made
 * no progress for longer than the bound, and the consumer is being torn down; `restarting`: it
 * stopped (crashed, stalled, lost its broker) and its supervisor is bringing up a new one.
 */
export type MemberState = "starting" | "running" | "stalled" | "restarting"

export interface MemberHealth {
  readonly group: string
  readonly member: number
  readonly state: MemberState
  /** When it entered this state (ISO 8601). */
  readonly since: string
  readonly reason?: string
}

export interface MemberStatus {
  set(state: MemberState, reason?: string): void
}

export interface ConsumerHealthShape {
  /** A member of `service`'s consumer group, `starting` until it says otherwise. */
  register(service: string, group: string, member: number): MemberStatus
  /** The members of `service`'s consumers in this process. */
  of(service: string): ReadonlyArray<MemberHealth>
}

/** What every supervised consumer of this process is doing, for `/ready`. */
export class ConsumerHealth extends Context.Service<ConsumerHealth, ConsumerHealthShape>()("loyaltea/kafka/ConsumerHealth") {
  static readonly make = (): ConsumerHealthShape => {
    const members = new Map<string, Array<{ current: MemberHealth }>>()
    return {
      register: (service, group, member) => {
        const entry = { current: { group, member, state: "starting", since: new Date().toISOString() } as MemberHealth }
        members.set(service, [...(members.get(service) ?? []), entry])
        return {
          set: (state, reason) => {
            if (entry.current.state === state && entry.current.reason === reason) return
            entry.current = { group, member, state, since: new Date().toISOString(), ...(reason === undefined ? {} : { reason }) }
          }
        }
      },
      of: (service) => (members.get(service) ?? []).map((entry) => entry.current)
    }
  }

  static readonly layer = Layer.sync(ConsumerHealth, ConsumerHealth.make)
}
