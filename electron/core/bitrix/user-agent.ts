// Bitrix asks integrations to send a real User-Agent (reference §2).
import { version } from '../../../package.json'

export const DEFAULT_USER_AGENT = `b24-trigger-runner/${version}`
