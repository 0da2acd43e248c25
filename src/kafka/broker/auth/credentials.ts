import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";

export type ScramMechanism = "SCRAM-SHA-256" | "SCRAM-SHA-512";
export const MECHANISMS = ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] as const;
export type Mechanism = (typeof MECHANISMS)[number];

const hashOf = (m: ScramMechanism) => (m === "SCRAM-SHA-256" ? "sha256" : "sha512");
const KEY_BYTES: Record<ScramMechanism, number> = { "SCRAM-SHA-256": 32, "SCRAM-SHA-512": 64 };
/** Kafka's minimum for SCRAM credentials. */
export const ITERATIONS = 4096;

/** What RFC 5802 stores instead of a password. */
export interface ScramCredential {
  readonly salt: Buffer;
  readonly iterations: number;
  readonly storedKey: Buffer;
  readonly serverKey: Buffer;
}

export const hmac = (m: ScramMechanism, key: Buffer, data: string | Buffer) => createHmac(hashOf(m), key).update(data).digest();
export const hash = (m: ScramMechanism, data: Buffer) => createHash(hashOf(m)).update(data).digest();
export const saltedPassword = (m: ScramMechanism, password: string, salt: Buffer, iterations: number) => pbkdf2Sync(Buffer.from(password.normalize("NFKC"), "utf8"), salt, iterations, KEY_BYTES[m], hashOf(m));

export function scramCredential(m: ScramMechanism, password: string, salt = randomBytes(24), iterations = ITERATIONS): ScramCredential {
  const salted = saltedPassword(m, password, salt, iterations);
  return { salt, iterations, storedKey: hash(m, hmac(m, salted, "Client Key")), serverKey: hmac(m, salted, "Server Key") };
}

/**
 * The broker's users. Passwords are turned into salted SCRAM credentials when loaded and then forgotten:
 * PLAIN logins are checked against the SCRAM-SHA-512 credential.
 */
export class Users {
  private readonly byName = new Map<string, Record<ScramMechanism, ScramCredential>>();

  constructor(passwords: ReadonlyMap<string, string>) {
    for (const [name, password] of passwords) {
      this.byName.set(name, { "SCRAM-SHA-256": scramCredential("SCRAM-SHA-256", password), "SCRAM-SHA-512": scramCredential("SCRAM-SHA-512", password) });
    }
  }

  scram(m: ScramMechanism, name: string): ScramCredential | undefined {
    return this.byName.get(name)?.[m];
  }

  checkPassword(name: string, password: string): boolean {
    const c = this.byName.get(name)?.["SCRAM-SHA-512"];
    if (!c) return false;
    const salted = saltedPassword("SCRAM-SHA-512", password, c.salt, c.iterations);
    return timingSafeEqual(hash("SCRAM-SHA-512", hmac("SCRAM-SHA-512", salted, "Client Key")), c.storedKey);
  }
}

/**
 * Users as `name:password`, one per line (blank lines and `#` comments ignored); in an environment
 * variable lines may also be separated by commas, so those passwords cannot contain a comma.
 */
export function parseUsers(text: string, source: string, commaSeparated = false): Map<string, string> {
  const users = new Map<string, string>();
  const entries = text.split(commaSeparated ? /[\n,]/ : /\n/);
  entries.forEach((raw, i) => {
    const line = raw.replace(/\r$/, "");
    if (line.trim() === "" || line.trimStart().startsWith("#")) return;
    const colon = line.indexOf(":");
    const name = colon > 0 ? line.slice(0, colon).trim() : "";
    const password = colon > 0 ? line.slice(colon + 1) : "";
    if (!name || !password) throw new Error(`${source}: entry ${i + 1} is not name:password`);
    if (users.has(name)) throw new Error(`${source}: user ${name} is listed twice`);
    users.set(name, password);
  });
  return users;
}

export const readUsersFile = (path: string) => parseUsers(readFileSync(path, "utf8"), path);
