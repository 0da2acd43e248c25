import { join } from "node:path";
import type { SaslOptions } from "../options.ts";
import { AclStore } from "./acl-store.ts";
import { Authorizer } from "./authorizer.ts";
import { MECHANISMS, Users } from "./credentials.ts";
import type { Security } from "./security.ts";

export function securityFrom(options: SaslOptions, dataDir: string | undefined): Security {
  if (options.users.size === 0) throw new Error("SASL needs at least one user");
  const mechanisms = options.mechanisms ?? MECHANISMS;
  for (const m of mechanisms) if (!MECHANISMS.includes(m)) throw new Error(`unknown SASL mechanism ${m} (known: ${MECHANISMS.join(", ")})`);
  for (const u of options.superUsers ?? []) if (!/^User:.+$/.test(u)) throw new Error(`super user ${u} is not of the form User:name`);
  const acls = new AclStore(dataDir ? join(dataDir, "acls.json") : null);
  return {
    users: new Users(options.users),
    mechanisms,
    acls,
    authorizer: new Authorizer(acls, { superUsers: options.superUsers ?? [], allowEveryoneIfNoAclFound: options.allowEveryoneIfNoAclFound ?? false }),
  };
}
