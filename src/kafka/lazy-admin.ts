import type { Admin, Kafka } from "kafkajs"

/**
 * One admin connection, opened on first use and opened again on the next use after a failed
 * connect; `close` disconnects it if it was ever opened.
 */
export const lazyAdmin = (kafka: Kafka) => {
  let admin: Promise<Admin> | undefined
  return {
    connected: (): Promise<Admin> => {
      admin ??= (async () => {
        const client = kafka.admin()
        await client.connect()
        return client
      })().catch((error) => {
        admin = undefined
        throw error
      })
      return admin
    },
    close: async (): Promise<void> => {
      const client = await admin?.catch(() => undefined)
      await client?.disconnect()
    }
  }
}
