"""The 小修小补 repair map: service items with shown prices, mobile stall schedules, on-site services."""
