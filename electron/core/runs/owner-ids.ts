// Reading an owner ID from a spreadsheet cell. The rule itself lives in electron/shared/owner-id
// so the renderer's Item ID field refuses exactly what the CSV check and the CLI refuse.
import { OWNER_ID_TEXT } from '../../shared/owner-id'

export { parseOwnerId, type OwnerIdParse } from '../../shared/owner-id'

/** Loose test used when guessing which column holds IDs and whether row 1 is a header. */
export function looksNumeric(cell: string): boolean {
  return OWNER_ID_TEXT.test(cell.trim())
}
