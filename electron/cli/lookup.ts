// Finds what the user named on the command line: a profile by name or id, an owner type by
// id, symbol or name. Unknown names are usage errors that list what would have worked.
import type { Profile } from '../shared/domain'
import type { OwnerTypeCatalog } from '../core/triggers/owner-types'
import { checkOwnerType, hasErrors } from '../core/triggers/validation'
import type { Core } from './core'
import { usageError } from './errors'

export async function findProfile(core: Core, ref: string | undefined): Promise<Profile> {
  const profiles = await core.profiles.list()
  if (!ref) {
    // B24TR_WEBHOOK_URL set for this command: that is the portal meant.
    const env = core.envProfileId !== undefined ? profiles.find((p) => p.id === core.envProfileId) : undefined
    if (env) return env
    // One profile is an obvious default; with more, guessing could fire triggers on the wrong portal.
    if (profiles.length === 1 && profiles[0]) return profiles[0]
    throw usageError(profiles.length === 0 ? noProfiles() : `Choose a profile with --profile (one of: ${names(profiles)}).`)
  }
  const wanted = ref.trim().toLocaleLowerCase()
  const found = profiles.find((p) => p.id === ref) ?? profiles.find((p) => p.name.trim().toLocaleLowerCase() === wanted)
  if (found) return found
  throw usageError(
    profiles.length === 0 ? `No profile "${ref}". ${noProfiles()}` : `No profile "${ref}". Known profiles: ${names(profiles)}.`
  )
}

function names(profiles: Profile[]): string {
  return profiles.map((p) => `"${p.name}"`).join(', ')
}

function noProfiles(): string {
  return 'No profiles yet. Add one with: b24-triggers profiles add --name NAME --kind webhook'
}

/** The numeric CRM type for --owner-type (deal, DEAL, D, 2, a smart-process id...), refused when
 * a trigger cannot act on it (the portal would answer true and do nothing). */
export function findOwnerTypeId(raw: string, catalog: OwnerTypeCatalog): number {
  const checked = checkOwnerType(raw, catalog)
  if (checked.id !== undefined && !hasErrors(checked.issues)) return checked.id
  const why = checked.issues.find((i) => i.severity === 'error')?.message ?? 'unknown CRM type.'
  throw usageError(`--owner-type ${raw}: ${why}${checked.id === undefined ? ' Use a number (2 = deal) or a name such as deal, lead, quote.' : ''}`)
}
