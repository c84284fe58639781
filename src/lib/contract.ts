// The renderer's view of the IPC contract: types only, re-exported from electron/shared so the
// rest of src/ imports them from one place.
export type * from '../../electron/shared/ipc'
export type { Outcome, OwnerType, PlanPreset, Profile, ProfileKind, TriggerKind, Verification } from '../../electron/shared/domain'
export type { CrmCategoryInfo, CrmSelection, CrmSelectionCount, RunPreview } from '../../electron/shared/domain'
