/**
 * Weekly hours {"mon": [["07:00", "20:00"]], …} as the API gives and takes them, and the rows a page edits:
 * one row per day, open or 休息, with its first span editable; further spans of that day are kept as they are.
 */
const { DAYS } = require('./catalog')

/** {"mon": [[…]]} → [{code, day, open, opens, closes, rest: [[…]]}] (a closed day gets 08:00-20:00 ready). */
function toRows(hours) {
  return DAYS.map(([code, day]) => {
    const spans = (hours && hours[code]) || []
    const [first, ...rest] = spans
    return {
      code,
      day,
      open: spans.length > 0,
      opens: first ? first[0] : '08:00',
      closes: first ? first[1] : '20:00',
      rest,
    }
  })
}

/** The rows back to the API's shape; a day marked 休息 has no entry. */
function fromRows(rows) {
  return rows.reduce((week, row) => {
    if (row.open) week[row.code] = [[row.opens, row.closes]].concat(row.rest)
    return week
  }, {})
}

/** One day's span: {"sat": [["08:00", "12:00"]]} for a stall slot. */
function oneDay(code, opens, closes) {
  return { [code]: [[opens, closes]] }
}

module.exports = { toRows, fromRows, oneDay }
