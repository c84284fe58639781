// A webhook profile for one CLI process, from the environment, for machines without a keychain
// (a server with no Secret Service): `B24TR_WEBHOOK_URL=https://portal/rest/1/secret/ b24-triggers
// run ...`. The URL (which carries the webhook secret) lives only in this process's memory: it is
// never written to profiles.json, the keychain, a journal or a log, and it is taken out of
// process.env at once so no child process inherits it. The profile it makes is listed as "env",
// and is the default profile while the variable is set.
//
// Only webhooks: a local app's tokens rotate (the refresh token changes on every renewal), so a
// run fed its tokens from a variable would lose the new pair when the process ends.
import { createHash } from 'node:crypto'
import type { PlanPreset } from '../shared/domain'
import { parseWebhookUrl, ProfileError } from '../core/profiles/profile-service'
import { ProfileStoreError, type ProfileStore, type StoredProfile } from '../core/profiles/profile-store'
import type { SecretStore } from '../core/profiles/secret-store'
import type { Credentials } from '../core/bitrix/types'

export const ENV_WEBHOOK_URL = 'B24TR_WEBHOOK_URL'
export const ENV_PLAN = 'B24TR_PLAN'
export const ENV_PROFILE_NAME = 'env'

export interface EnvProfile {
  profile: StoredProfile
  credentials: Credentials
}

/** The variable's value, taken out of the environment (call it first thing). */
export function takeEnvWebhookUrl(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const raw = env[ENV_WEBHOOK_URL]
  delete env[ENV_WEBHOOK_URL]
  return raw === undefined || raw.trim() === '' ? undefined : raw
}

/** The profile the URL makes. A bad URL is an input error that names the variable, never its value. */
export function envProfile(raw: string, env: NodeJS.ProcessEnv = process.env): EnvProfile {
  let webhook: ReturnType<typeof parseWebhookUrl>
  try {
    webhook = parseWebhookUrl(raw)
  } catch (err) {
    throw new ProfileError('invalid-input', `${ENV_WEBHOOK_URL}: ${err instanceof Error ? err.message : String(err)}`)
  }
  const plan: PlanPreset = env[ENV_PLAN] === 'enterprise' ? 'enterprise' : 'standard'
  // Stable across processes for the same portal and user, so `runs resume` of a run started this
  // way finds its profile again (when the variable is set again); the secret takes no part in it.
  const id = 'env-' + createHash('sha256').update(`${webhook.portalUrl}\u0000${webhook.userId}`).digest('hex').slice(0, 12)
  const at = new Date(0).toISOString()
  return {
    profile: { id, name: ENV_PROFILE_NAME, kind: 'webhook', portalUrl: webhook.portalUrl, userId: webhook.userId, plan, createdAt: at, updatedAt: at },
    credentials: { kind: 'webhook', webhookUrl: webhook.url }
  }
}

function readOnly(): never {
  throw new ProfileStoreError('invalid', `The "${ENV_PROFILE_NAME}" profile comes from ${ENV_WEBHOOK_URL} for this command only; it cannot be changed or removed.`)
}

/** The stored profiles plus the env profile (listed first). Writes to it are refused. */
export function withEnvProfile(store: ProfileStore, env: EnvProfile): ProfileStore {
  const { profile } = env
  return {
    filePath: store.filePath,
    async list() {
      return [profile, ...(await store.list()).filter((p) => p.id !== profile.id)]
    },
    async get(id) {
      return id === profile.id ? profile : store.get(id)
    },
    create: (input) => store.create(input),
    async update(id, patch) {
      return id === profile.id ? readOnly() : store.update(id, patch)
    },
    async remove(id) {
      return id === profile.id ? readOnly() : store.remove(id)
    }
  }
}

/** The keychain, except for the env profile, whose credentials stay in memory. */
export function withEnvSecret(secrets: SecretStore, env: EnvProfile): SecretStore {
  let credentials = env.credentials
  const id = env.profile.id
  return {
    async get(profileId) {
      return profileId === id ? credentials : secrets.get(profileId)
    },
    async set(profileId, next) {
      // A portal that moved (webhook session's moveTo): remembered for this process only.
      if (profileId === id) credentials = next
      else await secrets.set(profileId, next)
    },
    async delete(profileId) {
      return profileId === id ? false : secrets.delete(profileId)
    },
    available: () => secrets.available()
  }
}

/** What to do on a machine whose keychain does not answer: said before any secret is asked for.
 * Lines under 80 columns, so a terminal does not break them mid-word. */
export function noKeychainText(reason: string): string {
  return [
    ...wrap(reason, 79),
    'No profile can be saved on this machine. To use a webhook without saving it,',
    `put its URL in ${ENV_WEBHOOK_URL} for one command (it is never written to disk):`,
    `  ${ENV_WEBHOOK_URL}="$(cat /run/secrets/b24-webhook)" \\`,
    '    b24-triggers run --csv deals.csv --code CODE --owner-type deal',
    'See docs/cli.md, "Machines without a keychain".'
  ].join('\n')
}

/** Words into lines of at most `width` characters (a longer word keeps its own line). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = []
  let line = ''
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line)
      line = word
    } else line = line ? `${line} ${word}` : word
  }
  if (line) lines.push(line)
  return lines
}
