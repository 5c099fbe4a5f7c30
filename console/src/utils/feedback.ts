// The console's two small conversations outside a form: a line asked for in a message box, and a failed action
// told in a toast.
import { ElMessage, ElMessageBox, type ElMessageBoxOptions } from 'element-plus'
import { ApiError } from '@/api/http'

/**
 * Asks for a line (a reason, a password, a period) in a message box: what was typed, or null when cancelled.
 * `required` is the message shown while the answer is blank; Element's own options (inputType, inputPattern, …)
 * pass through.
 */
export async function ask(message: string, title: string, options: ElMessageBoxOptions & { required?: string } = {}): Promise<string | null> {
  const { required, ...rest } = options
  const answer = await ElMessageBox.prompt(message, title, {
    confirmButtonText: '确定',
    cancelButtonText: '取消',
    ...(required ? { inputValidator: (v: string) => (v && v.trim() ? true : required) } : {}),
    ...rest,
  }).catch(() => null)
  return answer ? (answer as { value: string }).value : null
}

/** A failed action in a toast: the first field the server named, else its message, else `fallback`. */
export function toastError(error: unknown, fallback: string) {
  ElMessage.error(error instanceof ApiError ? Object.values(error.fieldErrors())[0] || error.message : fallback)
}
