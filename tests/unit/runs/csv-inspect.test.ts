import { describe, expect, it } from 'vitest'
import { detectDelimiter } from '../../../electron/core/runs/csv-detect'
import { inspectCsv } from '../../../electron/core/runs/csv-inspect'
import { cp1251, resolveTestOwnerType, UTF8_BOM } from '../../fixtures/csv/cp1251'

const utf8 = (text: string): Buffer => Buffer.from(text)

describe('detectDelimiter', () => {
  it('tries ; then tab then , then |, and takes the first that splits the rows evenly', () => {
    expect(detectDelimiter('ID;Сумма, руб\n1;100,50\n2;7,00')).toBe(';')
    expect(detectDelimiter('ID\tСумма, руб\n1\t100,50\n2\t7,00')).toBe('\t')
    expect(detectDelimiter('id,name\n1,"a;b"\n2,c')).toBe(',')
    expect(detectDelimiter('id|name\n1|a,b\n2|c')).toBe('|')
    expect(detectDelimiter('ID;Сумма, руб')).toBe(';')
  })

  it('finds no delimiter in a one-column list, even when some cells contain one', () => {
    expect(detectDelimiter('ID\n1\n2\n3')).toBeNull()
    expect(detectDelimiter('note\nplain\nplain\nplain\nplain\nwith; semicolon')).toBeNull()
  })
})

describe('inspectCsv', () => {
  it('reads a Windows-1251 export with a ";" header, and suggests the ID column by name', async () => {
    const file = cp1251('ИД;Сумма, руб\r\n101;100,50\r\n102;7,00\r\n')
    const seen = await inspectCsv(file)
    expect(seen).toMatchObject({
      encoding: 'windows-1251',
      delimiter: ';',
      hasHeader: true,
      columns: [
        { index: 0, name: 'ИД', sample: ['101', '102'] },
        { index: 1, name: 'Сумма, руб', sample: ['100,50', '7,00'] }
      ],
      previewRows: [
        ['ИД', 'Сумма, руб'],
        ['101', '100,50'],
        ['102', '7,00']
      ],
      previewLines: [1, 2, 3],
      totalRowsEstimate: 2,
      suggested: { idColumn: 0 }
    })
  })

  it('strips a UTF-8 BOM and finds OWNER_ID, OWNER_TYPE_ID and CODE columns in any order', async () => {
    const seen = await inspectCsv(Buffer.concat([UTF8_BOM, utf8('CODE,OWNER_TYPE_ID,OWNER_ID\ncall_done,2,5\n')]))
    expect(seen.encoding).toBe('utf-8')
    expect(seen.delimiter).toBe(',')
    expect(seen.columns.map((c) => c.name)).toEqual(['CODE', 'OWNER_TYPE_ID', 'OWNER_ID'])
    expect(seen.suggested).toEqual({ idColumn: 2, ownerTypeColumn: 1, codeColumn: 0 })
  })

  it('takes a bare "Тип" column only when its values are owner types', async () => {
    const crmExport = utf8('ID;Тип;Название\n1;Продажа;a\n2;Продажа;b\n')
    expect((await inspectCsv(crmExport, { resolveOwnerType: resolveTestOwnerType })).suggested).toEqual({ idColumn: 0 })
    const ours = utf8('ID;Тип;Название\n1;DEAL;a\n2;T80;b\n')
    expect((await inspectCsv(ours, { resolveOwnerType: resolveTestOwnerType })).suggested).toEqual({ idColumn: 0, ownerTypeColumn: 1 })
  })

  it('sees a header when row 1 is text above a column of numbers, and none when row 1 is data', async () => {
    const titled = await inspectCsv(utf8('Сделки\tКомментарий\n5\tx\n6\ty\n'))
    expect(titled).toMatchObject({ delimiter: '\t', hasHeader: true, suggested: { idColumn: 0 }, totalRowsEstimate: 2 })
    expect(titled.columns.map((c) => c.name)).toEqual(['Сделки', 'Комментарий'])

    const bare = await inspectCsv(utf8('note|5\nnote|6\nnote|7\n'))
    expect(bare).toMatchObject({ delimiter: '|', hasHeader: false, suggested: { idColumn: 1 }, totalRowsEstimate: 3 })
    expect(bare.columns.map((c) => c.name)).toEqual(['column_1', 'column_2'])
    expect(bare.columns[1]!.sample).toEqual(['5', '6', '7'])
  })

  it('treats a one-column list as such, and honours overrides from the preview', async () => {
    const list = utf8('10\n11\n12\n')
    expect(await inspectCsv(list)).toMatchObject({ delimiter: null, hasHeader: false, suggested: { idColumn: 0 }, previewRows: [['10'], ['11'], ['12']] })
    const forced = await inspectCsv(list, { hasHeader: true, delimiter: ';', encoding: 'windows-1251' })
    expect(forced).toMatchObject({ encoding: 'windows-1251', delimiter: ';', hasHeader: true, totalRowsEstimate: 2 })
    expect(forced.columns).toEqual([{ index: 0, name: '10', sample: ['11', '12'] }])
  })

  it('previews only the head: 20 data rows plus the header, each cell cut to 200 characters', async () => {
    const body = Array.from({ length: 5000 }, (_, i) => `${i + 1};${'w'.repeat(300)}`).join('\n')
    const seen = await inspectCsv(utf8('ID;text\n' + body))
    expect(seen.previewRows).toHaveLength(21)
    expect(seen.previewLines.at(-1)).toBe(21)
    expect(seen.previewRows[1]![1]).toHaveLength(200)
    expect(seen.totalRowsEstimate).toBe(5000)
  })

  it('shows an over-long line as an empty preview row instead of holding it', async () => {
    const seen = await inspectCsv(utf8('ID\n1\n' + 'x'.repeat(5 * 1024 * 1024) + '\n2\n'))
    expect(seen.previewRows).toEqual([['ID'], ['1'], [], ['2']])
    expect(seen.previewLines).toEqual([1, 2, 3, 4])
  })

  it('fails with typed errors on empty and binary input', async () => {
    await expect(inspectCsv(Buffer.alloc(0))).rejects.toMatchObject({ name: 'CsvImportError', code: 'empty' })
    await expect(inspectCsv(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]))).rejects.toMatchObject({
      code: 'not-text'
    })
  })
})
