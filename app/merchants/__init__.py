"""Merchant self-registration (商户入驻): applications, staff review, change sets, closures, audit trail."""
