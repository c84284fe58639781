// The main process log, <dataDir>/logs/main.log. Every line goes through the core redactor, so a
// token or webhook secret that slips into an error message never reaches the disk. Size-capped
// with one rotation (main.log -> main.log.1): enough to attach to a bug report, never unbounded.
import { appendFileSync, mkdirSync, renameSync, statSync } from 'node:fs'
import { dirname } from 'node:path'

export type LogLevel = 'info' | 'warn' | 'error'

export interface Logger {
  info(message: string, detail?: unknown): void
  warn(message: string, detail?: unknown): void
  error(message: string, detail?: unknown): void
}

export interface FileLoggerOptions {
  file: string
  redact: (text: string) => string
  /** Rotate when the file would grow past this. Default 1 MiB. */
  maxBytes?: number
  now?: () => Date
}

function describe(detail: unknown): string {
  if (detail === undefined) return ''
  if (detail instanceof Error) return ` ${detail.name}: ${detail.message}${detail.stack ? `\n${detail.stack}` : ''}`
  if (typeof detail === 'string') return ` ${detail}`
  try {
    return ` ${JSON.stringify(detail)}`
  } catch {
    return ` ${String(detail)}`
  }
}

export function createFileLogger(options: FileLoggerOptions): Logger {
  const maxBytes = options.maxBytes ?? 1024 * 1024
  const now = options.now ?? (() => new Date())
  mkdirSync(dirname(options.file), { recursive: true })
  let size = 0
  try {
    size = statSync(options.file).size
  } catch {
    // no log yet
  }

  function write(level: LogLevel, message: string, detail: unknown): void {
    const line = options.redact(`${now().toISOString()} ${level.toUpperCase()} ${message}${describe(detail)}`).replace(/\r?\n/g, '\n  ') + '\n'
    const bytes = Buffer.byteLength(line)
    try {
      if (size > 0 && size + bytes > maxBytes) {
        renameSync(options.file, `${options.file}.1`)
        size = 0
      }
      appendFileSync(options.file, line)
      size += bytes
    } catch {
      // A full or read-only disk must not take the app down with it: logging is best effort.
    }
  }

  return {
    info: (message, detail) => write('info', message, detail),
    warn: (message, detail) => write('warn', message, detail),
    error: (message, detail) => write('error', message, detail)
  }
}
