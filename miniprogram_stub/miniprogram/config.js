/**
 * Where the API is and which subscribe-message templates to ask for.
 *
 * DevTools runs the "develop" version: point it at `make run` (http://127.0.0.1:8000) and tick
 * 详情 → 本地设置 → 不校验合法域名. Trial and release builds need an https domain that is listed
 * under 开发管理 → 服务器域名 (request and uploadFile) on mp.weixin.qq.com.
 */
const BASE_URLS = {
  develop: 'http://127.0.0.1:8000',
  trial: 'https://api-test.example.cn',
  release: 'https://api.example.cn',
}

function envVersion() {
  try {
    return wx.getAccountInfoSync().miniProgram.envVersion || 'develop'
  } catch (e) {
    return 'develop'
  }
}

module.exports = {
  baseUrl: BASE_URLS[envVersion()] || BASE_URLS.develop,
  // The server sends these (WECHAT_TEMPLATE_DEMAND_STATUS / _CONFIRM); the user must agree to each
  // before submitting a need, or the server's notice is refused by WeChat (errcode 43101).
  templateIds: {
    demand: ['tmpl-demand-status', 'tmpl-demand-confirm'],
  },
  // What wx.getLocation / chooseLocation / openLocation and <map> speak. Never converted here.
  coord: 'gcj02',
  requestTimeoutMs: 10000,
}
