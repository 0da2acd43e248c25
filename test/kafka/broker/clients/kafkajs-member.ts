/**
 * A kafkajs group member in its own process, so a test can kill it with SIGKILL.
 * Usage: bun kafkajs-member.ts <broker> <topic> <group>. Prints "assigned <json>" after each join and
 * "msg <partition> <offset> <value>" for each message, before its offset is committed.
 */
import { Kafka, logLevel } from "kafkajs";

const [broker, topic, group] = process.argv.slice(2) as [string, string, string];
const kafka = new Kafka({ brokers: [broker], clientId: "member-child", logLevel: logLevel.NOTHING });
const consumer = kafka.consumer({ groupId: group, sessionTimeout: 3000, rebalanceTimeout: 4000, heartbeatInterval: 300, maxWaitTimeInMs: 200 });
consumer.on(consumer.events.GROUP_JOIN, (e) => console.log(`assigned ${JSON.stringify(e.payload.memberAssignment)}`));
await consumer.connect();
await consumer.subscribe({ topic, fromBeginning: true });
await consumer.run({
  eachMessage: async ({ partition, message }) => {
    console.log(`msg ${partition} ${message.offset} ${message.value?.toString()}`);
  },
});
