export { startBroker } from "./broker.ts";
export { consoleLog, silentLog, type BrokerLog, type LogFields } from "./log.ts";
export type { Broker, BrokerOptions, RetentionOptions } from "./options.ts";
