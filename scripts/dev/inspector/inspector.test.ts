// The inspector page in a real Chromium (Debian's, driven by playwright-core) over the real local stack: the
// gateway in workerd, its decision log tailed into the inspector. A blocked and an allowed request sent with the
// openai SDK through the recording proxy must appear live, filter by code, and open into their traces (with the
// blocked prompt's spans marked and the allowed one's decoded Txn-Token). Also: the deploy bundle has none of it.
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import OpenAI from 'openai'
import { type Browser, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SURE_ATTACK } from '../../../shared/screen/testing.ts'
import { buildPolicies } from '../../build-policies.ts'
import { deploy } from '../../deploy.ts'
import { type Stack, startStack } from '../stack.ts'
import { PAGE_MARKER } from './marker.ts'
import { type Inspector, startInspector } from './server.ts'
import { InspectorStore } from './store.ts'

const CHROMIUM = '/usr/bin/chromium'
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking']
const ATTACK = SURE_ATTACK

let stack: Stack
let inspector: Inspector
let browser: Browser
let page: Page
let dir: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'portcullis-inspector-'))
  const store = new InspectorStore()
  stack = await startStack({ onGatewayLine: (l) => store.gatewayLine(l), onModelLine: (l) => store.modelLine(l) })
  const tenants = await buildPolicies({ quiet: true })
  inspector = await startInspector({ gatewayUrl: stack.gatewayUrl, port: 0, inspectPrompts: true, store, tenants })
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } })
})

afterAll(async () => {
  await browser?.close()
  await inspector?.stop()
  await stack?.stop()
  // The screenshot stays (its path is printed) for a human to look at; the deploy bundle does not.
  await rm(join(dir, 'dist'), { recursive: true, force: true })
})

describe('inspector page in Chromium', () => {
  it('shows a blocked and an allowed request live, filters them, and opens their traces', async () => {
    await page.goto(inspector.url)
    await page.locator('#status', { hasText: 'live' }).waitFor()
    expect(await page.locator('#rows tr').count()).toBe(0)

    const openai = new OpenAI({
      baseURL: `${inspector.proxyUrl}/v1`,
      apiKey: await stack.mint({ sub: 'alice' }),
      maxRetries: 0,
    })
    const blocked = await openai.chat.completions
      .create({ model: 'dev-model', messages: [{ role: 'user', content: ATTACK }] })
      .then(
        () => null,
        (err: unknown) => err,
      )
    expect(blocked).toBeInstanceOf(OpenAI.PermissionDeniedError)
    const allowed = await openai.chat.completions.create({
      model: 'dev-model',
      messages: [{ role: 'user', content: 'Say hello' }],
    })
    expect(allowed.choices[0]?.message.content).toBeTruthy()

    // Both rows arrive over SSE, without a reload.
    const blockedRow = page.locator('#rows tr[data-outcome="screen.injection"]')
    const allowedRow = page.locator('#rows tr[data-outcome="ok"][data-endpoint="chat"]')
    await blockedRow.waitFor()
    await allowedRow.waitFor()
    expect(await blockedRow.locator('td.outcome').textContent()).toBe('screen.injection')

    // Filter by code: only the refusal stays visible; back to all.
    await page.selectOption('#filter-code', 'screen.injection')
    expect(await allowedRow.isHidden()).toBe(true)
    expect(await blockedRow.isVisible()).toBe(true)
    await page.selectOption('#filter-code', '')
    await page.selectOption('#filter-verdict', 'block')
    expect(await allowedRow.isHidden()).toBe(true)
    await page.selectOption('#filter-verdict', '')

    // Open the refusal: stage by stage, the screen refuses; its spans are marked in the recorded prompt.
    await blockedRow.click()
    await page.locator('#detail h2', { hasText: 'Stage by stage' }).waitFor()
    const detail = (await page.locator('#detail').textContent()) ?? ''
    expect(detail).toMatch(/screen +REFUSE +[\d.]+ ms +screen\.injection; score 1 ≥ injection block ≥0\.\d+/)
    expect(detail).toMatch(/sign +not reached/)
    expect(detail).toContain('override_instructions')
    expect(await page.locator('#detail pre.prompt mark').count()).toBeGreaterThan(0)

    // Open the allowed one: forwarded, with the Txn-Token the dev model tier verified.
    await allowedRow.click()
    // The refusal's detail has a Txn-Token heading too: wait for the allowed request's own detail to replace it
    // (under load the second fetch lands later, and reading at once read the refusal).
    await page.locator('#detail', { hasText: /forward +pass/ }).waitFor()
    await page.locator('#detail h2', { hasText: 'Txn-Token' }).waitFor()
    const allowedDetail = (await page.locator('#detail').textContent()) ?? ''
    expect(allowedDetail).toMatch(/forward +pass/)
    expect(allowedDetail).toContain('"sub": "alice"')

    // The charts have the refusal in this minute's column.
    await page.locator('#chart-refusals rect[data-code="screen.injection"]').waitFor()

    const shot = join(dir, 'inspector.png')
    await page.screenshot({ path: shot, fullPage: true })
    expect((await readFile(shot)).byteLength).toBeGreaterThan(10_000)
    console.info(`inspector screenshot: ${shot}`)
  }, 120_000)

  it('never shows prompt text for a request that did not go through the recording proxy', async () => {
    const token = await stack.mint({ sub: 'carol' })
    await fetch(`${stack.gatewayUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'dev-model', messages: [{ role: 'user', content: ATTACK }] }),
    }).then((r) => r.text())
    const row = page.locator('#rows tr[data-sub="carol"]')
    await row.waitFor()
    await row.click()
    await page.locator('#detail h2', { hasText: 'Decision-log line' }).waitFor()
    expect(await page.locator('#detail').textContent()).not.toContain(ATTACK)
  }, 60_000)
})

describe('production bundle', () => {
  it('wrangler deploy --dry-run ships none of the inspector', async () => {
    const result = await deploy({ dryRun: true, outdir: join(dir, 'dist') })
    const bundle = await readFile(join(result.outdir, 'index.js'), 'utf8')
    expect(bundle.length).toBeGreaterThan(10_000) // a real bundle was read
    for (const needle of [PAGE_MARKER, 'EventSource', 'inspect-prompts', 'Portcullis inspector']) {
      expect(bundle, needle).not.toContain(needle)
    }
  }, 120_000)
})
