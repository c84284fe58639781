// PHP-style parameter decoding (parse_str) as the sandbox reads query strings and form bodies.
import { describe, expect, it } from 'vitest'
import { parseBody, parsePhpQuery } from '../../../sandbox/params'

describe('parsePhpQuery', () => {
  it('decodes nested brackets, lists and keyed commands', () => {
    expect(parsePhpQuery('fields[TITLE]=a+b&select[]=ID&select[]=TITLE&cmd[r1]=x%3Fy%3D1&halt=1')).toEqual({
      fields: { TITLE: 'a b' },
      select: ['ID', 'TITLE'],
      cmd: { r1: 'x?y=1' },
      halt: '1'
    })
  })

  it('turns 0..n-1 keys into lists and anything else into objects', () => {
    expect(parsePhpQuery('a[0]=x&a[1]=y&b[1]=x&c[x][]=1&c[x][]=2')).toEqual({ a: ['x', 'y'], b: { 1: 'x' }, c: { x: ['1', '2'] } })
  })

  it('follows PHP for odd names: dots become underscores, a later value wins', () => {
    expect(parsePhpQuery('a.b=1&x=1&x=2&=skip&[nobase]=1')).toEqual({ a_b: '1', x: '2' })
  })
})

describe('parseBody', () => {
  it('reads JSON and form bodies; an unreadable body counts as no parameters', () => {
    expect(parseBody('application/json; charset=utf-8', '{"CODE":"a","OWNER_ID":5}')).toEqual({ CODE: 'a', OWNER_ID: 5 })
    expect(parseBody('application/x-www-form-urlencoded', 'CODE=a&cmd[0]=x')).toEqual({ CODE: 'a', cmd: ['x'] })
    expect(parseBody('application/json', '{broken')).toEqual({})
  })
})
