// Secrets (webhook URL, client secret, tokens) are never accepted in argv, where they would land
// in shell history and in `ps`. They come from a hidden prompt on a terminal, or one per line
// from stdin with --secret-stdin (for scripts: `printf '%s\n' "$URL" | b24-triggers ...`).
import { createInterface } from 'node:readline'
import { Writable } from 'node:stream'
import { interrupted, usageError } from './errors'

export interface SecretInput {
  /** Read stdin to its end instead of prompting. */
  fromStdin: boolean
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean }
  /** Where prompts go: stderr, so stdout stays clean for results. */
  prompts?: NodeJS.WritableStream
}

/** One value per label, in order. Empty values are refused. */
export async function readSecrets(labels: string[], input: SecretInput): Promise<string[]> {
  const stdin = input.stdin ?? process.stdin
  const prompts = input.prompts ?? process.stderr
  if (input.fromStdin) return fromStdin(labels, stdin)
  if (!stdin.isTTY) {
    throw usageError(
      `No terminal to ask for the ${labels.join(', ').toLowerCase()} on. ` +
        `Pipe ${labels.length === 1 ? 'it' : 'them, one per line,'} to stdin and add --secret-stdin.`
    )
  }
  const values: string[] = []
  for (const label of labels) {
    const value = await promptHidden(`${label}:`, stdin, prompts)
    if (!value) throw usageError(`${label} is empty.`)
    values.push(value)
  }
  return values
}

async function fromStdin(labels: string[], stdin: NodeJS.ReadableStream): Promise<string[]> {
  let text = ''
  stdin.setEncoding('utf8')
  for await (const chunk of stdin) text += chunk as string
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0)
  if (lines.length < labels.length) {
    throw usageError(`Expected ${labels.length} line(s) on stdin (${labels.join(', ')}), got ${lines.length}.`)
  }
  return lines.slice(0, labels.length)
}

function promptHidden(label: string, stdin: NodeJS.ReadableStream, prompts: NodeJS.WritableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    // readline echoes what is typed to its output; a muted sink keeps the secret off the screen.
    const muted = new Writable({ write: (_chunk, _enc, cb) => cb() })
    // The interface puts the terminal in raw mode; only then may the prompt invite typing, or the
    // terminal itself would echo what is typed before that.
    const rl = createInterface({ input: stdin, output: muted, terminal: true })
    prompts.write(label + ' ')
    rl.on('SIGINT', () => {
      rl.close()
      prompts.write('\n')
      reject(interrupted())
    })
    rl.question('', (answer) => {
      rl.close()
      prompts.write('\n')
      resolve(answer.trim())
    })
  })
}
