import { join } from "node:path"
import { Effect, Schema } from "effect"

export class BundleFailed extends Schema.TaggedError<BundleFailed>()("BundleFailed", { reason: Schema.String }) {
  override get message() {
    return `the console's web page could not be built: ${this.reason}`
  }
}

export interface WebAsset {
  readonly body: Uint8Array
  readonly type: string
}

export interface WebBundle {
  readonly html: string
  /** By path under `/assets/`. */
  readonly assets: ReadonlyMap<string, WebAsset>
}

const entry = join(import.meta.dir, "web", "main.tsx")

const page = (scripts: ReadonlyArray<string>, styles: ReadonlyArray<string>) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Loyaltea console</title>
<link rel="icon" href="data:,">
${styles.map((href) => `<link rel="stylesheet" href="/assets/${href}">`).join("\n")}
</head>
<body>
<div id="root"></div>
${scripts.map((src) => `<script type="module" src="/assets/${src}"></script>`).join("\n")}
</body>
</html>
`

/**
 * The React front end, bundled by Bun's own bundler when the console starts: everything it needs
 * (scripts, styles) comes from this server, so it works with no internet access.
 */
export const buildWebBundle = Effect.tryPromise({
  try: async (): Promise<WebBundle> => {
    const result = await Bun.build({
      entrypoints: [entry],
      target: "browser",
      minify: true,
      naming: "[name]-[hash].[ext]",
      define: { "process.env.NODE_ENV": JSON.stringify("production") }
    })
    if (!result.success) throw new Error(result.logs.map((log) => String(log)).join("; "))
    const assets = new Map<string, WebAsset>()
    for (const output of result.outputs) {
      const name = output.path.replace(/^.*[\\/]/, "")
      assets.set(name, { body: new Uint8Array(await output.arrayBuffer()), type: output.type })
    }
    const names = [...assets.keys()]
    return { html: page(names.filter((n) => n.endsWith(".js")), names.filter((n) => n.endsWith(".css"))), assets }
  },
  catch: (error) => new BundleFailed({ reason: error instanceof Error ? error.message : String(error) })
})
