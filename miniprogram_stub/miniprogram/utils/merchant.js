/** Pieces the merchant pages share: picking and uploading a photo, the WeChat phone button, status names. */
const api = require('./api')

const CLAIM_STATUS = {
  pending: '待审核',
  disputed: '有争议，待社区核实',
  approved: '已通过',
  rejected: '未通过',
  withdrawn: '已撤回',
  superseded: '网点已由他人认领',
}

/** wx.chooseMedia (camera or album) → POST /uploads with `purpose`; resolves {id, path, url} or null. */
async function pickAndUpload(purpose) {
  let picked
  try {
    picked = await api.wxp('chooseMedia', { count: 1, mediaType: ['image'], sourceType: ['camera', 'album'] })
  } catch (e) {
    return null // closed without choosing
  }
  const path = picked.tempFiles[0].tempFilePath
  const upload = await api.upload(path, purpose).catch(() => null)
  return upload && { id: upload.id, path, url: upload.url }
}

/** The code of WeChat's getPhoneNumber button (traded for the number on the server, never here), or ''. */
function phoneCode(e) {
  return (e && e.detail && e.detail.code) || ''
}

module.exports = { CLAIM_STATUS, pickAndUpload, phoneCode }
