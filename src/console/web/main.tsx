import { Component, type ReactNode } from "react"
import { createRoot } from "react-dom/client"
import { App } from "./app.tsx"
import "./style.css"

/** A bug in a page shows what broke, instead of a blank page. */
class Failure extends Component<{ readonly children: ReactNode }, { readonly error?: Error }> {
  override state: { readonly error?: Error } = {}
  static getDerivedStateFromError(error: Error) {
    return { error }
  }
  override render() {
    if (!this.state.error) return this.props.children
    return (
      <main className="content">
        <section className="panel">
          <h2>Something broke in the console</h2>
          <pre>{this.state.error.message}</pre>
          <button onClick={() => window.location.reload()}>Reload</button>
        </section>
      </main>
    )
  }
}

createRoot(document.getElementById("root")!).render(<Failure><App /></Failure>)
