/**
 * 长辈模式 (WeChat's 适老化 guidelines): larger type, fewer choices, labels a screen reader can speak.
 * The switch is on the 我的 page and remembered on the phone (wx storage), so every page reads it when shown.
 * A page puts `elderClass` on its root view; app.wxss enlarges everything under `.elder`.
 */
const KEY = 'elder_mode'

function isOn() {
  return wx.getStorageSync(KEY) === true
}

function set(on) {
  wx.setStorageSync(KEY, Boolean(on))
}

/** The data a page merges in onShow: {elder, elderClass}. */
function pageData() {
  const on = isOn()
  return { elder: on, elderClass: on ? 'elder' : '' }
}

module.exports = { isOn, set, pageData }
