// Ctrl-C handling. Outside a run it simply ends the process with 130. During a run the session
// installs its own handler (pause cleanly, then exit 130); a second Ctrl-C while that pause is
// draining exits at once, since the journal already marks unanswered rows uncertain on resume.
import { EXIT } from './exit-codes'

type Handler = () => void

let current: Handler | undefined
let onQuit: Handler | undefined
let pressed = 0

function onSigint(): void {
  pressed += 1
  if (current && pressed === 1) current()
  else {
    // Quitting mid-run: say how to go on, or the admin is left with a bare prompt.
    if (current) onQuit?.()
    process.exit(EXIT.interrupted)
  }
}

export function installInterruptHandling(): void {
  process.on('SIGINT', onSigint)
}

/** Routes the first Ctrl-C to `handler` until the returned function is called; `quit` runs
 * just before a second Ctrl-C ends the process. */
export function whileRunning(handler: Handler, quit?: Handler): () => void {
  current = handler
  onQuit = quit
  pressed = 0
  return () => {
    if (current === handler) current = undefined
  }
}
