// Spawns the built CLI exactly as a user would (`node bin/b24-triggers.js ...`), with its own
// data directory. Secrets are only ever given on stdin, never in argv.
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { join } from 'node:path'

const bin = join(__dirname, '..', '..', 'bin', 'b24-triggers.js')

export interface CliResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

export interface CliOptions {
  dataDir: string
  stdin?: string
  env?: Record<string, string>
}

export interface RunningCli {
  child: ChildProcessWithoutNullStreams
  /** Resolves when `text` has appeared on stdout (or rejects when the process ends first). */
  waitFor(text: string | RegExp): Promise<void>
  done: Promise<CliResult>
  /** What it has written to stdout so far. */
  output(): string
}

export function startCli(args: string[], options: CliOptions): RunningCli {
  const child = spawn(process.execPath, [bin, ...args], {
    env: { ...process.env, B24TR_DATA_DIR: options.dataDir, NO_COLOR: '1', ...options.env },
    stdio: 'pipe'
  })
  let stdout = ''
  let stderr = ''
  const waiters: { match: (s: string) => boolean; resolve: () => void }[] = []
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk
    for (const w of [...waiters]) {
      if (w.match(stdout)) {
        waiters.splice(waiters.indexOf(w), 1)
        w.resolve()
      }
    }
  })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  child.stdin.end(options.stdin ?? '')
  const done = new Promise<CliResult>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }))
  })
  return {
    child,
    done,
    output: () => stdout,
    waitFor(text) {
      const match = (s: string): boolean => (typeof text === 'string' ? s.includes(text) : text.test(s))
      if (match(stdout)) return Promise.resolve()
      return new Promise((resolve, reject) => {
        waiters.push({ match, resolve })
        void done.then((r) =>
          reject(new Error(`CLI exited (${r.code}) before printing ${String(text)}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`))
        )
      })
    }
  }
}

export function runCli(args: string[], options: CliOptions): Promise<CliResult> {
  return startCli(args, options).done
}

/** Parses newline-delimited JSON from a --json run. */
export function jsonLines(stdout: string): Record<string, unknown>[] {
  return stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>)
}

/** Whether util-linux `script` is there to give the CLI a pseudo-terminal, as a shell would. */
export const hasScript = (() => {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
})()
