import { type Browser, chromium, type Page } from "playwright-core"

/**
 * Debian's headless Chromium (never a downloaded browser) with one page that may ask nothing but
 * this machine: a CDN reference would fail the page.
 */
export const openLocalPage = async (options: { readonly acceptDownloads?: boolean } = {}): Promise<{ browser: Browser; page: Page }> => {
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"] })
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 }, ...(options.acceptDownloads ? { acceptDownloads: true } : {}) })
  await page.route(/^(?!http:\/\/127\.0\.0\.1)/, (route) => route.abort())
  return { browser, page }
}

/** Signs in on the console's login form at `url` and waits for its header. */
export const signInToConsole = async (page: Page, url: string, username: string, password: string) => {
  await page.goto(url)
  await page.fill("input[name=username]", username)
  await page.fill("input[name=password]", password)
  await page.click("button[type=submit]")
  await page.waitForSelector("header.top")
}
