/** What a signed-in operator is, as the user service's `/auth/me` says. */
export interface Me {
  readonly kind: "operator" | "api-key"
  readonly username?: string
  readonly role?: "admin" | "tenant-admin" | "tenant-viewer"
  readonly tenant: string | null
}

/** An RFC 9457 problem as the services answer it, with the field(s) at fault. */
export interface Problem {
  readonly status: number
  readonly title?: string
  readonly detail?: string
  readonly message?: string
  readonly field?: string
  /** What was not found, for a 404 (`campaign`, `backfill`...). */
  readonly resource?: string
  readonly details?: ReadonlyArray<{ readonly field: string; readonly message: string }>
}

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.message ?? problem.title ?? `HTTP ${problem.status}`)
  }
}

/** A refused answer as the problem it carries (or its text, when it is not a problem document). */
export const refusalOf = async (response: Response): Promise<ApiError> => {
  const text = await response.text()
  let body: unknown
  try {
    body = text ? JSON.parse(text) : undefined
  } catch {
    body = undefined
  }
  return new ApiError({ status: response.status, ...(typeof body === "object" && body !== null ? body : { detail: text || `HTTP ${response.status}` }) })
}

interface Tokens {
  accessToken: string
  refreshToken: string
}

/**
 * The session: tokens are kept in memory only (never in storage), the access token is renewed
 * with the refresh token when a service answers 401, and signing out ends the session.
 */
export class Session {
  private tokens: Tokens | undefined
  private refreshing: Promise<boolean> | undefined
  onSignedOut: () => void = () => {}

  get signedIn() {
    return this.tokens !== undefined
  }

  async signIn(username: string, password: string): Promise<void> {
    this.tokens = await this.post<Tokens>("/api/user/auth/login", { username, password }, false)
  }

  async signOut(): Promise<void> {
    const tokens = this.tokens
    this.tokens = undefined
    if (tokens) await fetch("/api/user/auth/logout", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ refreshToken: tokens.refreshToken }) }).catch(() => {})
    this.onSignedOut()
  }

  private async refresh(): Promise<boolean> {
    const tokens = this.tokens
    if (!tokens) return false
    this.refreshing ??= fetch("/api/user/auth/refresh", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ refreshToken: tokens.refreshToken }) })
      .then(async (response) => {
        if (!response.ok) return false
        this.tokens = (await response.json()) as Tokens
        return true
      })
      .catch(() => false)
      .finally(() => (this.refreshing = undefined))
    return this.refreshing
  }

  /** A request with the access token; one 401 renews it and tries again, a second one signs out. */
  async fetch(path: string, init: RequestInit = {}, authenticated = true): Promise<Response> {
    const send = () =>
      fetch(path, { ...init, headers: { ...(init.headers as Record<string, string>), ...(authenticated && this.tokens ? { authorization: `Bearer ${this.tokens.accessToken}` } : {}) } })
    const response = await send()
    if (response.status !== 401 || !authenticated || !this.tokens) return response
    if (await this.refresh()) {
      const again = await send()
      if (again.status !== 401) return again
    }
    this.tokens = undefined
    this.onSignedOut()
    return response
  }

  async json<A>(path: string, init: RequestInit = {}, authenticated = true): Promise<A> {
    const response = await this.fetch(path, init, authenticated)
    if (!response.ok) throw await refusalOf(response)
    const text = await response.text()
    return (text ? JSON.parse(text) : undefined) as A
  }

  get<A>(path: string) {
    return this.json<A>(path)
  }

  post<A>(path: string, body: unknown, authenticated = true, headers: Record<string, string> = {}) {
    return this.json<A>(path, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) }, authenticated)
  }

  put<A>(path: string, body: unknown) {
    return this.json<A>(path, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify(body) })
  }

  delete(path: string) {
    return this.json<unknown>(path, { method: "DELETE" })
  }
}

/**
 * The message of a problem for one field (`name`, `limits.perUser`, `body.name`...); with
 * `within`, also one for a field inside it.
 */
export const fieldMessage = (problem: Problem | undefined, field: string, within = false): string | undefined => {
  if (!problem) return undefined
  const matches = (at: string) => {
    const path = at.replace(/^(body|query|params)\.?/, "").replace(/^\//, "").replace(/\//g, ".").replace(/\[(\d+)\]/g, ".$1")
    return path === field || (within && path.startsWith(`${field}.`))
  }
  const detail = problem.details?.find((d) => matches(d.field))
  if (detail) return detail.message
  return problem.field !== undefined && matches(problem.field) ? (problem.detail ?? problem.message) : undefined
}

export const pretty = (value: string | null): string => {
  if (value === null) return "null"
  try {
    return JSON.stringify(JSON.parse(value), null, 2)
  } catch {
    return value
  }
}

/** A list answer: an array, or an envelope holding one (`{ campaigns: [...] }`, `{ items: [...] }`). */
export const itemsOf = <A = Record<string, unknown>>(answer: unknown): ReadonlyArray<A> =>
  Array.isArray(answer) ? answer : ((Object.values((answer ?? {}) as object).find(Array.isArray) ?? []) as ReadonlyArray<A>)
