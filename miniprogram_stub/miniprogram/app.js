const api = require('./utils/api')

App({
  onLaunch() {
    // Silent login so the first protected call does not wait for it; pages still log in on demand.
    api.login().catch(() => {})
  },
})
