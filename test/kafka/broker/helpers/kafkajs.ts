import { Kafka, logLevel, type Consumer } from "kafkajs";

export const kafkaFor = (address: string, clientId = "test") => new Kafka({ brokers: [address], clientId, logLevel: logLevel.NOTHING, retry: { retries: 8, initialRetryTime: 100 } });

/** A consumer that records what it receives and its latest assignment. */
export interface Recorder {
  consumer: Consumer;
  values: string[];
  assigned: Record<string, number[]>;
  generation: number;
}

export async function recordingConsumer(kafka: Kafka, groupId: string, topic: string): Promise<Recorder> {
  const consumer = kafka.consumer({ groupId, sessionTimeout: 3000, rebalanceTimeout: 4000, heartbeatInterval: 300, maxWaitTimeInMs: 200 });
  const rec: Recorder = { consumer, values: [], assigned: {}, generation: 0 };
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    rec.assigned = e.payload.memberAssignment;
    rec.generation++;
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => void rec.values.push(message.value!.toString()) });
  return rec;
}

export const partitionsOf = (assigned: Record<string, number[]>, topic: string) => [...(assigned[topic] ?? [])].sort();
