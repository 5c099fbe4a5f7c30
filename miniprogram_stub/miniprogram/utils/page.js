/** What the pages that show one loaded thing (home, my circle) share: their lifecycle and the load's state. */
const elder = require('./elder')

/**
 * Page methods for a page that shows what its method `load` (a name) fetches: it runs when the page opens and on
 * pull-down refresh (`refresh`), with `loading` on and `error` and `outside` cleared meanwhile; a failure it does
 * not handle itself becomes the page's `error` (its message, else `failed`). 长辈模式 is read each time the page is
 * shown (it is switched on another page). Spread into the page's methods.
 */
function loadedBy(load, failed) {
  return {
    onLoad() {
      return this.refresh()
    },
    onShow() {
      this.setData(elder.pageData())
    },
    onPullDownRefresh() {
      return this.refresh().then(() => wx.stopPullDownRefresh())
    },
    async refresh() {
      this.setData({ loading: true, error: '', outside: false })
      try {
        await this[load]()
      } catch (error) {
        this.setData({ error: error.message || failed })
      } finally {
        this.setData({ loading: false })
      }
    },
  }
}

module.exports = { loadedBy }
