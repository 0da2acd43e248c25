import type { AclStore } from "./acl-store.ts";
import type { Authorizer } from "./authorizer.ts";
import type { Mechanism, Users } from "./credentials.ts";

/** Authentication and authorization, when the broker has users; null means open (no SASL, no ACLs). */
export interface Security {
  readonly users: Users;
  readonly mechanisms: readonly Mechanism[];
  readonly authorizer: Authorizer;
  readonly acls: AclStore;
}
