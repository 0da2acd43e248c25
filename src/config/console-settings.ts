import { Config, type Option } from "effect"

/** Where the console finds the services it is a client of, beyond what the services already know. */
export interface ConsoleSettings {
  /** `LOYALTEA_REWARD_SERVICE_URL`: the reward service, when it runs elsewhere. */
  readonly rewardServiceUrl: Option.Option<string>
}

export const consoleSettings: Config.Config<ConsoleSettings> = Config.all({
  rewardServiceUrl: Config.option(Config.URL("LOYALTEA_REWARD_SERVICE_URL").pipe(Config.map((url) => url.toString())))
})
