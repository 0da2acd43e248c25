"""kafka-python (2.0.2) driven by the broker's conformance tests.

  produce <broker> <topic> <compression|none> <count>   binary keys, values and headers, acks=all
  consume <broker> <topic> <group|-> <count>            prints one JSON line per message (hex bytes)
  member  <broker> <topic> <group>                      group member until SIGTERM, then leaves cleanly
  version <broker>                                      the broker version it infers and the magic it produces
  admin   <broker> <topic>                              KafkaAdminClient: create with configs, describe, alter,
                                                        add partitions; prints one JSON line per step
  produce-legacy <broker> <topic> <compression|none> <count> <api_version>
                                                        an old client: 0.10 sends Produce v2 with magic 1,
                                                        0.9 Produce v1 and 0.8.2 Produce v0 with magic 0
"""
import json
import signal
import sys

from kafka import ConsumerRebalanceListener, KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.admin import ConfigResource, ConfigResourceType, NewPartitions, NewTopic

FAST = dict(session_timeout_ms=3000, heartbeat_interval_ms=300, max_poll_interval_ms=10000,
            auto_offset_reset="earliest", metadata_max_age_ms=1000)


def record(i):
    key = None if i % 5 == 0 else bytes([0, 255, i % 256, 10, 13, 0x80])
    value = bytes([i % 256, 0, 1, 2]) * (i % 9)
    headers = [("bin", bytes([0xFF, i % 256, 0])), ("text", "h\u00e9-{}".format(i).encode())]
    return key, value, headers


def out(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def produce(broker, topic, compression, count):
    # Sent together (linger) so batches hold several records: kafka-python sends a batch uncompressed
    # when compressing it would not make it smaller, which single small records never are.
    producer = KafkaProducer(bootstrap_servers=broker, acks="all", linger_ms=50,
                             compression_type=None if compression == "none" else compression)
    sent = []
    for i in range(count):
        key, value, headers = record(i)
        sent.append(producer.send(topic, key=key, value=value, headers=headers))
    producer.flush()
    for f in sent:
        f.get(timeout=10)
    producer.close()


def version(broker):
    producer = KafkaProducer(bootstrap_servers=broker)
    out({"api_version": list(producer.config["api_version"]), "magic": producer._max_usable_produce_magic()})
    producer.close()


def produce_legacy(broker, topic, compression, count, api_version):
    producer = KafkaProducer(bootstrap_servers=broker, acks="all", linger_ms=50,
                             api_version=tuple(int(x) for x in api_version.split(".")),
                             compression_type=None if compression == "none" else compression)
    sent = []
    for i in range(count):
        key, value, _ = record(i)  # legacy messages have no headers
        sent.append(producer.send(topic, key=key, value=value, timestamp_ms=1700000000000 + i))
    producer.flush()
    for f in sent:
        f.get(timeout=10)
    producer.close()


def consume(broker, topic, group, count):
    consumer = KafkaConsumer(topic, bootstrap_servers=broker, group_id=None if group == "-" else group,
                             enable_auto_commit=False, consumer_timeout_ms=15000, **FAST)
    seen = 0
    for m in consumer:
        out({"offset": m.offset, "partition": m.partition, "key": m.key.hex() if m.key is not None else None,
             "value": m.value.hex(), "timestamp": m.timestamp, "headers": [[k, v.hex()] for k, v in m.headers]})
        seen += 1
        if seen == count:
            break
    if group != "-":
        consumer.commit()
    consumer.close()


class Report(ConsumerRebalanceListener):
    def on_partitions_revoked(self, revoked):
        pass

    def on_partitions_assigned(self, assigned):
        out({"assigned": sorted(tp.partition for tp in assigned)})


def member(broker, topic, group):
    consumer = KafkaConsumer(bootstrap_servers=broker, group_id=group, auto_commit_interval_ms=100, **FAST)
    consumer.subscribe([topic], listener=Report())
    running = [True]
    signal.signal(signal.SIGTERM, lambda *_: running.__setitem__(0, False))
    while running[0]:
        for records in consumer.poll(timeout_ms=100).values():
            for m in records:
                out({"value": m.value.decode()})
    consumer.close()  # commits and sends LeaveGroup


def described(admin, resource, synonyms):
    """name -> [value, read_only, source, synonyms] for one resource (DescribeConfigs v1+ layout)."""
    response = admin.describe_configs([resource], include_synonyms=synonyms)[0]
    error_code, error_message, _, _, entries = response.resources[0]
    if error_code != 0:
        return {"error": [error_code, error_message]}
    return {e[0]: [e[1], e[2], e[3], [list(s) for s in e[5]]] for e in entries}


def admin(broker, topic):
    client = KafkaAdminClient(bootstrap_servers=broker)
    created = client.create_topics([NewTopic(topic, 1, 1, topic_configs={"retention.ms": "120000"})])
    out({"created": [list(t[:2]) for t in created.topic_errors]})
    config = described(client, ConfigResource(ConfigResourceType.TOPIC, topic), True)
    out({"topic": {k: config[k] for k in ("retention.ms", "cleanup.policy")}})
    config = described(client, ConfigResource(ConfigResourceType.BROKER, "0"), False)
    out({"broker": {k: config[k][:2] for k in ("num.partitions", "log.retention.ms")}})
    altered = client.alter_configs([ConfigResource(ConfigResourceType.TOPIC, topic, configs={"retention.bytes": "4096"})])
    out({"altered": [list(r[:2]) for r in altered.resources]})
    refused = client.alter_configs([ConfigResource(ConfigResourceType.TOPIC, topic, configs={"retention.bytes": "lots"})])
    out({"refused": [list(r[:2]) for r in refused.resources]})
    config = described(client, ConfigResource(ConfigResourceType.TOPIC, topic), False)
    out({"after": {k: config[k][0] for k in ("retention.ms", "retention.bytes")}})
    grown = client.create_partitions({topic: NewPartitions(3)})
    out({"grown": [list(t[:2]) for t in grown.topic_errors]})
    metadata = client.describe_topics([topic])
    out({"partitions": sorted(p["partition"] for p in metadata[0]["partitions"])})
    client.close()


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    if command == "produce":
        produce(args[0], args[1], args[2], int(args[3]))
    elif command == "consume":
        consume(args[0], args[1], args[2], int(args[3]))
    elif command == "member":
        member(args[0], args[1], args[2])
    elif command == "admin":
        admin(args[0], args[1])
    elif command == "version":
        version(args[0])
    elif command == "produce-legacy":
        produce_legacy(args[0], args[1], args[2], int(args[3]), args[4])
