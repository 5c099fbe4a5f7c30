import { reactive, ref } from 'vue'
import { ApiError } from '@/api/http'

/**
 * A dialog whose form is sent to the API: on a refusal the server's field messages go under their fields
 * (`errors`) and its message above them (`error`), and what was typed stays; on success the dialog closes and
 * `done` runs (a message, a reload). Every console dialog submits this way.
 */
export function useFormDialog(send: () => Promise<unknown>, done: () => unknown = () => undefined) {
  const visible = ref(false)
  const errors = reactive<Record<string, string>>({})
  const error = ref('')

  async function submit() {
    for (const key of Object.keys(errors)) delete errors[key]
    error.value = ''
    try {
      await send()
      visible.value = false
      await done()
    } catch (e) {
      if (e instanceof ApiError) {
        Object.assign(errors, e.fieldErrors())
        error.value = e.message
      }
    }
  }

  return { visible, errors, error, submit }
}
