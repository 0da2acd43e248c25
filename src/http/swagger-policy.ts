import { createHash } from "node:crypto"

const sha256 = (text: string) => `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`

const inline = (html: string, tag: "script" | "style") =>
  [...html.matchAll(new RegExp(`<${tag}(\\s[^>]*)?>([\\s\\S]*?)</${tag}>`, "gi"))]
    .filter((match) => !/\ssrc\s*=/i.test(match[1] ?? ""))
    .map((match) => match[2]!)

/**
 * The Content-Security-Policy of the Swagger UI page: its own origin's assets (served locally,
 * so it renders offline), the OpenAPI document and "try it out" calls to the same origin, and
 * the page's inline scripts and styles by their hashes only, so no injected one would run.
 */
export const swaggerPagePolicy = (html: string): string => {
  const scripts = inline(html, "script").map(sha256)
  const styles = inline(html, "style").map(sha256)
  return [
    "default-src 'none'",
    `script-src 'self' ${scripts.join(" ")}`.trim(),
    `style-src 'self' ${styles.join(" ")}`.trim(),
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'"
  ].join("; ")
}
