import { parseArgs } from "node:util"
import { Effect } from "effect"
import { AppConfig } from "../config/app-config.ts"
import { aclCommands } from "../kafka/acls.ts"

const usage = `usage: bun run kafka-acls [--services User:loyaltea] [--shop User:shop-meiwei ...] [--reader User:notifier ...]
  Prints the kafka-acls.sh commands a production cluster needs for Loyaltea's topics and consumer
  groups (KAFKA_GROUP_PREFIX): the services' principal, one principal per shop that writes events to
  Kafka itself (ingress topics only), and read-only consumers of reward-notify.`

const { values } = parseArgs({
  options: {
    services: { type: "string", default: "User:loyaltea" },
    shop: { type: "string", multiple: true, default: [] },
    reader: { type: "string", multiple: true, default: [] },
    help: { type: "boolean", default: false }
  }
})

if (values.help) {
  console.log(usage)
} else {
  const config = await Effect.runPromise(Effect.provide(Effect.service(AppConfig), AppConfig.layer))
  const lines = aclCommands({ services: values.services, shops: values.shop, readers: values.reader, groupPrefix: config.kafka.groupPrefix })
  console.log(lines.join("\n"))
}
