// `run --csv` pacing options beyond the plan preset: the operating budget and the request limits,
// as the app's custom plan sets them. Any of them makes the run's plan `custom`; what is not
// given keeps the plan preset's (or the cloud's) value.
import { InvalidArgumentError, Option } from 'commander'
import type { OperatingLimits, PlanPreset, RateLimits } from '../shared/domain'
import { CLOUD_OPERATING } from '../core/bitrix/pacing/operating-governor'
import { presetRate } from '../core/bitrix/pacing/request-governor'

export interface PacingFlags {
  operatingBudget?: number
  operatingWindow?: number
  burst?: number
  drain?: number
}

function positive(what: string, integer: boolean) {
  return (raw: string): number => {
    const n = Number(raw)
    if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
      throw new InvalidArgumentError(`${what} must be a ${integer ? 'whole number' : 'number'} above 0.`)
    }
    return n
  }
}

export function pacingOptions(): Option[] {
  return [
    new Option('--operating-budget <seconds>', 'file: server seconds per method per window the portal allows (cloud: 480); makes the plan custom').argParser(
      positive('--operating-budget', false)
    ),
    new Option('--operating-window <seconds>', 'file: the operating budget\'s window in seconds (cloud: 600); makes the plan custom').argParser(
      positive('--operating-window', false)
    ),
    new Option('--burst <requests>', 'file: requests the portal\'s bucket holds (standard 50, enterprise 250); makes the plan custom').argParser(
      positive('--burst', true)
    ),
    new Option('--drain <per-second>', 'file: requests per second the bucket drains (standard 2, enterprise 5); makes the plan custom').argParser(
      positive('--drain', false)
    )
  ]
}

export function hasPacingFlags(flags: PacingFlags): boolean {
  return flags.operatingBudget !== undefined || flags.operatingWindow !== undefined || flags.burst !== undefined || flags.drain !== undefined
}

/** The run's pacing from the plan and the flags: the plan alone when no flag is given. */
export function pacingFor(plan: PlanPreset, flags: PacingFlags): { plan: PlanPreset; rate?: RateLimits; operating?: OperatingLimits } {
  if (!hasPacingFlags(flags)) return { plan }
  const base = presetRate(plan)
  return {
    plan: 'custom',
    rate: { burst: flags.burst ?? base.burst, drainPerSec: flags.drain ?? base.drainPerSec },
    operating: { limitSec: flags.operatingBudget ?? CLOUD_OPERATING.limitSec, windowSec: flags.operatingWindow ?? CLOUD_OPERATING.windowSec }
  }
}
