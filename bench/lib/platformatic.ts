import { Admin, Consumer, MessagesStreamModes, Producer } from "@platformatic/kafka";

/** The same load as the kafkajs figures, through @platformatic/kafka (flexible versions, topic ids). */
export interface PlatformaticLoad {
  readonly partitions: number;
  readonly batch: number;
  readonly concurrency: number;
}

const options = (address: string, clientId: string) => ({ clientId, bootstrapBrokers: [address] });

export async function pltCreateTopic(address: string, topic: string, partitions: number): Promise<void> {
  const admin = new Admin(options(address, "bench-admin"));
  await admin.createTopics({ topics: [topic], partitions, replicas: 1 });
  await admin.close();
}

/** `concurrency` loops, each sending batches of `batch` messages to one partition, until `total` are acknowledged. */
export async function pltProduce(address: string, topic: string, total: number, size: number, acks: number, load: PlatformaticLoad): Promise<number> {
  const producer = new Producer<Buffer, Buffer, Buffer, Buffer>(options(address, "bench-plt-producer"));
  const value = Buffer.alloc(size, 120);
  const batches = Array.from({ length: load.partitions }, (_, p) => Array.from({ length: load.batch }, () => ({ topic, partition: p, value })));
  const send = (i: number) => producer.send({ messages: batches[i % load.partitions]!, acks });
  await Promise.all(Array.from({ length: load.concurrency }, (_, i) => send(i))); // connect and warm up
  let sent = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: load.concurrency }, async (_, i) => {
      while (sent < total) {
        sent += load.batch;
        await send(i);
      }
    }),
  );
  const ms = performance.now() - start;
  await producer.close();
  return ms;
}

/** Reads `total` messages from the beginning in a fresh group; timed from the first message. */
export async function pltConsume(address: string, topic: string, total: number): Promise<number> {
  const consumer = new Consumer<Buffer, Buffer, Buffer, Buffer>({ ...options(address, "bench-plt-consumer"), groupId: `bench-plt-${topic}`, maxWaitTime: 100 });
  const stream = await consumer.consume({ topics: [topic], mode: MessagesStreamModes.EARLIEST, autocommit: false });
  let seen = 0;
  let start = 0;
  const ms = await new Promise<number>((resolve) => {
    stream.on("data", () => {
      if (start === 0) start = performance.now();
      if (++seen === total) resolve(performance.now() - start);
    });
  });
  await stream.close();
  await consumer.close();
  return ms;
}
