// The only way the CLI writes to the terminal: every byte passes through redact(), so a secret
// that slipped into an error text or a portal answer never reaches a screen or a log file.
// With --json, stdout carries newline-delimited JSON only and human text moves to stderr.
import { redact } from '../core/bitrix/redact'

export interface OutputOptions {
  json: boolean
  stdout?: NodeJS.WritableStream
  stderr?: NodeJS.WritableStream
}

export class Output {
  readonly json: boolean
  readonly stdout: NodeJS.WritableStream
  readonly stderr: NodeJS.WritableStream

  constructor(options: OutputOptions) {
    this.json = options.json
    this.stdout = options.stdout ?? process.stdout
    this.stderr = options.stderr ?? process.stderr
  }

  /** A result line for people (stderr under --json, so machines still get pure JSON). */
  line(text = ''): void {
    ;(this.json ? this.stderr : this.stdout).write(redact(text) + '\n')
  }

  /** A warning or an error message: always stderr. */
  error(text: string): void {
    this.stderr.write(redact(text) + '\n')
  }

  /** One JSON object per line on stdout (only in --json mode). */
  record(value: unknown): void {
    if (this.json) this.stdout.write(redact(JSON.stringify(value)) + '\n')
  }

  /** Prints the result of a listing command: a JSON record or the human lines. */
  result(value: unknown, human: () => string[]): void {
    if (this.json) this.record(value)
    else for (const text of human()) this.line(text)
  }

  /** Raw access for the progress bar, which manages its own line; text is redacted all the same. */
  write(stream: 'stdout' | 'stderr', text: string): void {
    ;(stream === 'stdout' ? this.stdout : this.stderr).write(redact(text))
  }
}
