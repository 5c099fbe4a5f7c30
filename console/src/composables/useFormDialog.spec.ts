import { describe, expect, it } from 'vitest'
import { ref } from 'vue'
import type { FormInstance } from 'element-plus'
import { ApiError } from '@/api/http'
import { useFormDialog, useFormSubmit } from './useFormDialog'

const refusal = (details: Record<string, unknown> = { title: ['不能为空'] }) =>
  new ApiError(422, { code: 'validation_error', message: '请求参数有误', details })

describe('useFormDialog', () => {
  it('closes and runs what follows with the answer when the API accepts', async () => {
    let answered: unknown = null
    const dialog = useFormDialog(async () => ({ id: 1 }), (answer) => (answered = answer))
    dialog.visible = true
    expect(await dialog.submit()).toBe(true)
    expect(dialog.visible).toBe(false)
    expect(answered).toEqual({ id: 1 })
  })

  it("stays open with the server's messages under their fields, cleared on the next try", async () => {
    let answer: () => Promise<unknown> = () => Promise.reject(refusal())
    const dialog = useFormDialog(() => answer())
    dialog.visible = true
    expect(await dialog.submit()).toBe(false)
    expect(dialog.visible).toBe(true)
    expect(dialog.errors).toEqual({ title: '不能为空' })
    expect(dialog.error).toBe('请求参数有误')
    expect(dialog.busy).toBe(false)
    answer = async () => ({})
    await dialog.submit()
    expect(dialog.errors).toEqual({})
    expect(dialog.error).toBe('')
    expect(dialog.visible).toBe(false)
  })

  it('says "fix what is marked" above named fields when asked to, the server\'s message otherwise', async () => {
    let details: Record<string, unknown> = { title: ['不能为空'] }
    const dialog = useFormDialog(() => Promise.reject(refusal(details)), undefined, { fieldsMessage: '请按提示修改后再提交' })
    await dialog.submit()
    expect(dialog.error).toBe('请按提示修改后再提交')
    details = {}
    await dialog.submit()
    expect(dialog.error).toBe('请求参数有误')
  })

  it('drives a v-model it is given and opens without the last messages', async () => {
    const visible = ref(false)
    const dialog = useFormDialog(() => Promise.reject(refusal()), undefined, { visible })
    dialog.open()
    expect(visible.value).toBe(true)
    await dialog.submit()
    expect(dialog.error).toBe('请求参数有误')
    visible.value = false
    dialog.open()
    expect(dialog.error).toBe('')
    expect(dialog.errors).toEqual({})
    expect(dialog.visible).toBe(true)
  })
})

describe('useFormSubmit', () => {
  it("sends nothing while the page's own rules fail", async () => {
    let sent = 0
    const valid = ref(false)
    const form = ref({ validate: () => (valid.value ? Promise.resolve(true) : Promise.reject(new Error('rules'))) } as unknown as FormInstance)
    const save = useFormSubmit(async () => (sent += 1), undefined, { form })
    expect(await save.submit()).toBe(false)
    expect(sent).toBe(0)
    valid.value = true
    expect(await save.submit()).toBe(true)
    expect(sent).toBe(1)
  })

  it('names a failure that is not the API answering when told how', async () => {
    const save = useFormSubmit(() => Promise.reject(new TypeError('boom')), undefined, { failed: '创建失败，请稍后再试' })
    await save.submit()
    expect(save.error).toBe('创建失败，请稍后再试')
  })
})
