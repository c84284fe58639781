// The renderer's view of the IPC contract: types only, re-exported from electron/shared so the
// rest of src/ imports them from one place.
/* eslint-disable no-restricted-imports -- electron/shared is the types-only contract the renderer
   is meant to share; the rule's 'electron' pattern aims at the electron module itself. */
export type * from '../../electron/shared/ipc'
export type { Outcome, OwnerType, PlanPreset, Profile, ProfileKind, TriggerKind, Verification } from '../../electron/shared/domain'
/* eslint-enable no-restricted-imports */
