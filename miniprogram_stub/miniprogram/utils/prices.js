/**
 * A repair point's services and prices (明码标价) as the merchant pages edit them: one row per item of the
 * catalogue (GET /repair-service-items), ticked and priced where the outlet's price list has it; the ticked rows
 * are sent as `repair_services`. Used by the application (merchant/index) and the shop page (merchant/shop).
 */

/** Rows {code, name, on, price, unit} for the catalogue `items`, from the outlet's `priceList` (none: all unticked). */
function priceRows(items, priceList = []) {
  const listed = {}
  priceList.forEach((p) => (listed[p.code] = p))
  return items.map((item) => {
    const price = listed[item.code]
    return {
      code: item.code,
      name: item.name_zh,
      on: Boolean(price),
      price: price ? String(price.price_min) : '',
      unit: price ? price.unit : '次',
    }
  })
}

/** The ticked rows as the API's repair_services. */
function offered(rows) {
  return rows.filter((p) => p.on).map((p) => ({ code: p.code, price_min: Number(p.price) || 0, unit: p.unit }))
}

/** The page methods for the rows in `this.data[key]`: a tap on an item ticks it, typing sets its price. */
function priceMethods(key) {
  return {
    togglePrice(e) {
      const i = Number(e.currentTarget.dataset.index)
      this.setData({ [`${key}[${i}].on`]: !this.data[key][i].on })
    },
    setPrice(e) {
      this.setData({ [`${key}[${Number(e.currentTarget.dataset.index)}].price`]: e.detail.value })
    },
  }
}

module.exports = { priceRows, offered, priceMethods }
