import { reactive, ref, type Ref } from 'vue'
import { ElMessage, type FormInstance } from 'element-plus'
import { ApiError } from '@/api/http'

export interface FormSubmitOptions {
  /** The el-form whose rules are checked in the page before anything is sent. */
  form?: Ref<FormInstance | undefined>
  /** The message above the fields when the server named fields (default: the server's own message). */
  fieldsMessage?: string
  /** The message when the failure is not the API's answer. */
  failed?: string
  /** Also show the message as an error toast (forms whose page has no place for it above the fields). */
  toast?: boolean
}

function formSubmit<T>(send: () => Promise<T>, done: (answer: T) => unknown, options: FormSubmitOptions) {
  const busy = ref(false)
  const errors = reactive<Record<string, string>>({})
  const error = ref('')

  function clear() {
    for (const key of Object.keys(errors)) delete errors[key]
    error.value = ''
  }

  async function submit() {
    clear()
    if (options.form && !(await options.form.value?.validate().catch(() => false))) return false
    busy.value = true
    try {
      await done(await send())
      return true
    } catch (e) {
      if (e instanceof ApiError) {
        Object.assign(errors, e.fieldErrors())
        error.value = options.fieldsMessage && Object.keys(errors).length ? options.fieldsMessage : e.message
      } else error.value = options.failed || ''
      if (options.toast && error.value) ElMessage.error(error.value)
      return false
    } finally {
      busy.value = false
    }
  }

  return { busy, errors, error, clear, submit }
}

/**
 * A form sent to the API: the page's rules first (`form`), then `send`; on a refusal the server's field messages go
 * under their fields (`errors`) and its message above them (`error`), and what was typed stays; on success `done`
 * runs with the API's answer (a message, a reload). `busy` while it is under way. Every console form submits this
 * way. A reactive object: `save.busy`, `save.errors.note`, `save.submit()`.
 */
export function useFormSubmit<T>(send: () => Promise<T>, done: (answer: T) => unknown = () => undefined, options: FormSubmitOptions = {}) {
  return reactive(formSubmit(send, done, options))
}

/**
 * A dialog whose form is sent the way useFormSubmit sends it; on success the dialog closes before `done` runs.
 * `visible` may be the dialog's own v-model (a component's defineModel). A reactive object: `dialog.visible`,
 * `dialog.errors.title`, `dialog.submit()`, and the whole of it for <FormDialog :dialog="…">.
 */
export function useFormDialog<T>(
  send: () => Promise<T>,
  done: (answer: T) => unknown = () => undefined,
  options: FormSubmitOptions & { visible?: Ref<boolean> } = {},
) {
  const visible = options.visible ?? ref(false)
  const form = formSubmit(
    send,
    (answer) => {
      visible.value = false
      return done(answer)
    },
    options,
  )

  /** Opens the dialog without the last attempt's messages. */
  function open() {
    form.clear()
    visible.value = true
  }

  return reactive({ ...form, visible, open })
}

export type FormDialog = ReturnType<typeof useFormDialog>
