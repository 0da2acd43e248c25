import { afterAll } from "bun:test"
import { stopLeftoverProcesses } from "./support/process.ts"

// Runs after every test file: processes a failed test left behind are stopped.
afterAll(stopLeftoverProcesses)
