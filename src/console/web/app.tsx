import { useEffect, useMemo, useState } from "react"
import { itemsOf, type Me, Session } from "./api.ts"
import { Console, type ConsoleContext } from "./context.ts"
import { BackfillPage } from "./pages/backfill.tsx"
import { DeadLettersPage } from "./pages/dead-letters.tsx"
import { ExportsPage } from "./pages/exports.tsx"
import { ImportPage } from "./pages/import.tsx"
import { MembersPage } from "./pages/members.tsx"
import { ProgramPage } from "./pages/program.tsx"
import { SendEventPage } from "./pages/send-event.tsx"
import { TopicsPage } from "./pages/topics.tsx"
import { WebhooksPage } from "./pages/webhooks.tsx"

const pages = {
  program: { label: "Program", view: ProgramPage },
  send: { label: "Send & watch", view: SendEventPage },
  topics: { label: "Topics", view: TopicsPage },
  "dead-letters": { label: "Dead letters", view: DeadLettersPage },
  members: { label: "Members", view: MembersPage },
  webhooks: { label: "Webhooks", view: WebhooksPage },
  exports: { label: "Exports", view: ExportsPage },
  import: { label: "Import", view: ImportPage },
  backfill: { label: "Backfill", view: BackfillPage }
} as const
type Page = keyof typeof pages

const pageOfHash = (): Page => {
  const name = window.location.hash.replace(/^#\/?/, "").split("/")[0] as Page
  return name in pages ? name : "program"
}

const SignIn = ({ onSignedIn, session }: { readonly session: Session; readonly onSignedIn: () => void }) => {
  const [username, setUsername] = useState("")
  const [password, setPassword] = useState("")
  const [error, setError] = useState<string | undefined>()
  const submit = async (event: React.FormEvent) => {
    event.preventDefault()
    setError(undefined)
    await session.signIn(username, password).then(onSignedIn, (e) => setError(String(e.message)))
  }
  return (
    <main className="sign-in">
      <form className="panel" onSubmit={submit}>
        <h1>Loyaltea console</h1>
        <p className="hint">Sign in with an operator account of the user service.</p>
        <label className="field"><span className="label">username</span><input name="username" autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} /></label>
        <label className="field"><span className="label">password</span><input name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} /></label>
        {error ? <p className="form-error" role="alert">{error}</p> : null}
        <div className="actions"><button className="primary" type="submit">Sign in</button></div>
      </form>
    </main>
  )
}

/** The platform admin picks the tenant to work on; an operator of a tenant works on theirs. */
const TenantPicker = ({ me, onChange, session, tenant }: { readonly session: Session; readonly me: Me; readonly tenant: string; readonly onChange: (t: string) => void }) => {
  const [tenants, setTenants] = useState<ReadonlyArray<{ id: string; name: string }>>([])
  useEffect(() => {
    if (me.tenant === null) session.get<unknown>("/api/user/tenants").then((answer) => setTenants(itemsOf(answer)), () => {})
  }, [me, session, tenant])
  if (me.tenant !== null) return <span className="tenant">tenant <strong>{me.tenant}</strong></span>
  return (
    <label className="tenant">tenant{" "}
      <input name="tenant" list="tenants" value={tenant} onChange={(e) => onChange(e.target.value)} size={14} />
      <datalist id="tenants">{tenants.map((t) => <option key={t.id} value={t.id}>{t.name}</option>)}</datalist>
    </label>
  )
}

export const App = () => {
  const session = useMemo(() => new Session(), [])
  const [me, setMe] = useState<Me | undefined>()
  const [page, setPage] = useState<Page>(pageOfHash)
  const [tenant, setTenant] = useState("meiwei")
  useEffect(() => {
    session.onSignedOut = () => setMe(undefined)
    const onHash = () => setPage(pageOfHash())
    window.addEventListener("hashchange", onHash)
    return () => window.removeEventListener("hashchange", onHash)
  }, [session])

  const loadMe = () =>
    session.get<Me>("/api/user/auth/me").then((who) => {
      setMe(who)
      if (who.tenant !== null) setTenant(who.tenant)
    })

  if (!me) return <SignIn session={session} onSignedIn={() => void loadMe()} />
  const context: ConsoleContext = {
    session,
    me,
    tenant,
    canWrite: me.role !== "tenant-viewer",
    isAdmin: me.role === "admin",
    go: (name) => (window.location.hash = `#/${name}`)
  }
  const View = pages[page].view
  return (
    <Console.Provider value={context}>
      <header className="top">
        <span className="brand">Loyaltea</span>
        <nav>
          {(Object.keys(pages) as Array<Page>).map((name) => (
            <a key={name} href={`#/${name}`} className={name === page ? "active" : ""}>{pages[name].label}</a>
          ))}
        </nav>
        <TenantPicker session={session} me={me} tenant={tenant} onChange={setTenant} />
        <span className="who">{me.username} · {me.role}</span>
        <button onClick={() => void session.signOut()}>Sign out</button>
      </header>
      <main className="content" key={tenant}>
        <View />
      </main>
    </Console.Provider>
  )
}
