// The method table of the sandbox portal. Names are matched in lower case, as Bitrix does.
import { batch } from './batch'
import { crmMethods } from './crm'
import { crmCategoryMethods } from './crm-categories'
import { triggerMethods } from './triggers'
import type { MethodDef } from './types'

export const METHODS: ReadonlyMap<string, MethodDef> = new Map(
  Object.entries({ ...triggerMethods, ...crmMethods, ...crmCategoryMethods, batch })
)
