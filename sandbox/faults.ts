// Faults injected on demand (FaultRule): consumed in order per matching request, either by
// count (`after`, `times`) or by a seeded probability, so every run is reproducible.
import type { FaultRule } from './types'

export interface ChosenFaults {
  latencyMs: number
  /** The first non-latency fault that applies, if any. */
  action?: FaultRule
}

interface RuleState {
  rule: FaultRule
  seen: number
  applied: number
}

/** mulberry32: tiny, fast, and the same sequence for the same seed (the crash test's kill points
 * use it too, so a failing series replays from its seed). */
export function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export class FaultPlan {
  private rules: RuleState[] = []
  private readonly random: () => number

  constructor(seed: number) {
    this.random = rng(seed)
  }

  add(rules: FaultRule[]): void {
    for (const rule of rules) this.rules.push({ rule, seen: 0, applied: 0 })
  }

  clear(): void {
    this.rules = []
  }

  /** Decides the faults for one top-level request of `method`. */
  choose(method: string): ChosenFaults {
    const chosen: ChosenFaults = { latencyMs: 0 }
    if (this.rules.length === 0) return chosen
    for (const s of this.rules) {
      const { rule } = s
      if (rule.method !== '*' && rule.method.toLowerCase() !== method) continue
      const index = s.seen++
      if (index < (rule.after ?? 0)) continue
      if (rule.probability === undefined) {
        if (s.applied >= (rule.times ?? 1)) continue
      } else {
        if (rule.times !== undefined && s.applied >= rule.times) continue
        if (this.random() >= rule.probability) continue
      }
      if (rule.fault === 'latency') {
        s.applied++
        chosen.latencyMs += rule.ms ?? 0
      } else if (!chosen.action) {
        s.applied++
        chosen.action = rule
      }
    }
    return chosen
  }
}
