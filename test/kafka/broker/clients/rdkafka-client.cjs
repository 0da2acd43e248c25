// node-rdkafka (librdkafka) driven by the broker's conformance tests. Runs under Node, not Bun (a native addon).
//
//   produce <broker> <topic> <count> [idempotent]   values "v<i>" keyed "k<i>", acks=all; prints {"delivered": n}
//   consume <broker> <topic> <group> <count>        prints one JSON line per message, then commits and leaves
//   create-partitions <broker> <topic> <count>      admin CreatePartitions; prints {"ok": true}
//   create-topic <broker> <topic> <partitions>      admin CreateTopics; prints {"ok": true}
"use strict";
const Kafka = require("node-rdkafka");

const out = (obj) => process.stdout.write(`${JSON.stringify(obj)}\n`);
const fail = (err) => {
  process.stderr.write(`${err && err.message ? err.message : String(err)}\n`);
  process.exit(1);
};

function produce(broker, topic, count, idempotent) {
  const producer = new Kafka.Producer(
    {
      "metadata.broker.list": broker,
      dr_cb: true,
      "enable.idempotence": idempotent,
      acks: -1,
      "linger.ms": 5,
      "api.version.request": true,
    },
    {},
  );
  let delivered = 0;
  const failures = [];
  producer.on("delivery-report", (err) => {
    if (err) failures.push(err.message);
    else delivered++;
    if (delivered + failures.length === count) {
      producer.disconnect(() => {
        if (failures.length > 0) fail(failures[0]);
        out({ delivered });
      });
    }
  });
  // A dropped connection is reported here too and retried by librdkafka; only a fatal error ends the run.
  producer.on("event.error", (err) => {
    if (err.isFatal) fail(err);
  });
  producer.setPollInterval(10);
  producer.connect({}, (err) => {
    if (err) fail(err);
    for (let i = 0; i < count; i++) producer.produce(topic, null, Buffer.from(`v${i}`), `k${i}`);
  });
}

function consume(broker, topic, group, count) {
  const consumer = new Kafka.KafkaConsumer(
    { "metadata.broker.list": broker, "group.id": group, "enable.auto.commit": false, "session.timeout.ms": 6000, "fetch.wait.max.ms": 100 },
    { "auto.offset.reset": "earliest" },
  );
  let seen = 0;
  const timer = setTimeout(() => fail(new Error(`only ${seen} of ${count} messages within 20 s`)), 20_000);
  consumer.on("event.error", fail);
  consumer.on("ready", () => {
    consumer.subscribe([topic]);
    consumer.consume();
  });
  consumer.on("data", (m) => {
    out({ partition: m.partition, offset: m.offset, key: m.key ? m.key.toString() : null, value: m.value.toString() });
    if (++seen === count) {
      clearTimeout(timer);
      consumer.commitSync(null);
      consumer.disconnect(() => process.exit(0));
    }
  });
  consumer.connect();
}

function admin(broker, body) {
  const client = Kafka.AdminClient.create({ "metadata.broker.list": broker });
  body(client, (err) => {
    client.disconnect();
    if (err) fail(err);
    out({ ok: true });
  });
}

const [command, broker, ...args] = process.argv.slice(2);
if (command === "produce") produce(broker, args[0], Number(args[1]), args[2] === "idempotent");
else if (command === "consume") consume(broker, args[0], args[1], Number(args[2]));
else if (command === "create-partitions") admin(broker, (c, done) => c.createPartitions(args[0], Number(args[1]), 10_000, done));
else if (command === "create-topic") admin(broker, (c, done) => c.createTopic({ topic: args[0], num_partitions: Number(args[1]), replication_factor: 1 }, 10_000, done));
else fail(new Error(`unknown command ${command}`));
