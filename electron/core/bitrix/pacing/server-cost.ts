// How much operating budget a call really cost, from what a portal answers.
//
// Current cloud portals write `time.start` in whole seconds and `processing: 0`
// (../shared/reference/current-cloud.md), so a call's `duration` (finish - floor(start)) carries
// up to a second that was never spent: charging it would treat a 50 ms trigger as ~0.55 s and run
// ten times slower than the budget allows. What stays precise is the budget's own accounting:
// `time.operating`, the method's running total, and how it grows between answers.
//
// The model, per method:
// - a duration is trusted only when `start` has a fraction (the older format): then the cost is
//   max(duration, processing), as measured;
// - otherwise each call is bounded by its duration and by its share of the request's wall time
//   (a batch runs its commands one after another, so wall / commands is at least their mean);
// - and, once enough calls have been answered, by the growth of `time.operating`: the portal
//   stores a request's sum when the request ends, so the total seen by a later answer minus the
//   total seen by an earlier one is what the calls answered in between were charged. Samples are
//   compared only while `operating_reset_at` stays the same (no bucket left the window between
//   them) and the total does not fall.
import type { RestTime } from '../../../shared/domain'

/** Calls that must separate two samples before their growth is trusted. */
const MIN_GROWTH_CALLS = 20
/** Samples kept per method: the estimate follows the recent past. */
const MAX_SAMPLES = 24

interface Sample {
  /** Calls of the method answered before the request was sent. */
  doneBefore: number
  operating: number
  resetAt: number | undefined
}

class MethodTrack {
  done = 0
  samples: Sample[] = []
}

/** Whether a `time` block's duration is the time really spent (fractional start). */
export function durationIsPrecise(time: RestTime): boolean {
  return !Number.isInteger(time.start)
}

export class ServerCostModel {
  private readonly methods = new Map<string, MethodTrack>()

  private track(method: string): MethodTrack {
    let t = this.methods.get(method)
    if (!t) this.methods.set(method, (t = new MethodTrack()))
    return t
  }

  /** Call just before a request carrying calls of `method` is sent; pass the ticket to `answered`. */
  sent(method: string): number {
    return this.track(method).done
  }

  /**
   * An answer arrived. `times` are the `time` blocks of its calls of `method` (a command that
   * failed has none), `ran` how many of its calls ran, `wallSec` the request's wall time and
   * `commands` how many commands it carried. Returns the cost to charge for a call given its time.
   */
  answered(method: string, ticket: number, times: readonly RestTime[], ran: number, wallSec: number, commands: number): (time: RestTime | undefined) => number | undefined {
    const t = this.track(method)
    this.learn(t, ticket, times)
    t.done += ran
    const growth = this.perCall(method)
    const wallShare = wallSec / Math.max(1, commands)
    return (time) => {
      if (!time || typeof time.duration !== 'number') return undefined
      if (durationIsPrecise(time)) return Math.max(time.duration, time.processing ?? 0)
      const bound = Math.max(0, Math.min(time.duration, wallShare))
      return growth === undefined ? bound : Math.min(bound, growth)
    }
  }

  /** Operating seconds per call from the growth of `time.operating`, once enough calls separate
   * the samples; undefined before. */
  perCall(method: string): number | undefined {
    const s = this.methods.get(method)?.samples
    if (!s || s.length < 2) return undefined
    const first = s[0] as Sample
    const last = s[s.length - 1] as Sample
    const calls = last.doneBefore - first.doneBefore
    if (calls < MIN_GROWTH_CALLS) return undefined
    return Math.max(0, last.operating - first.operating) / calls
  }

  private learn(t: MethodTrack, ticket: number, times: readonly RestTime[]): void {
    // The lowest total in the answer: the stored figure before this request's own long calls.
    let operating: number | undefined
    let resetAt: number | undefined
    for (const time of times) {
      if (typeof time.operating !== 'number') continue
      if (operating === undefined || time.operating < operating) operating = time.operating
      if (typeof time.operating_reset_at === 'number') resetAt = time.operating_reset_at
    }
    if (operating === undefined) return
    const sample: Sample = { doneBefore: ticket, operating, resetAt }
    const prev = t.samples[t.samples.length - 1]
    // Sent before the last sample's request (answers of concurrent requests cross): it says less.
    if (prev && ticket < prev.doneBefore) return
    // A bucket left the window, or someone's time left it: start over from here.
    if (prev && (prev.resetAt !== resetAt || operating < prev.operating)) t.samples = []
    t.samples.push(sample)
    if (t.samples.length > MAX_SAMPLES) t.samples.shift()
  }
}
