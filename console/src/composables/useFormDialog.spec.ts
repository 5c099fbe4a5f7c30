import { describe, expect, it } from 'vitest'
import { ApiError } from '@/api/http'
import { useFormDialog } from './useFormDialog'

const refusal = () =>
  new ApiError(422, { code: 'validation_error', message: '请求参数有误', details: { title: ['不能为空'] } })

describe('useFormDialog', () => {
  it('closes and runs what follows when the API accepts', async () => {
    let reloaded = false
    const dialog = useFormDialog(async () => ({ id: 1 }), () => (reloaded = true))
    dialog.visible.value = true
    await dialog.submit()
    expect(dialog.visible.value).toBe(false)
    expect(reloaded).toBe(true)
  })

  it("stays open with the server's messages under their fields, cleared on the next try", async () => {
    let answer: () => Promise<unknown> = () => Promise.reject(refusal())
    const dialog = useFormDialog(() => answer())
    dialog.visible.value = true
    await dialog.submit()
    expect(dialog.visible.value).toBe(true)
    expect(dialog.errors).toEqual({ title: '不能为空' })
    expect(dialog.error.value).toBe('请求参数有误')
    answer = async () => ({})
    await dialog.submit()
    expect(dialog.errors).toEqual({})
    expect(dialog.error.value).toBe('')
    expect(dialog.visible.value).toBe(false)
  })
})
