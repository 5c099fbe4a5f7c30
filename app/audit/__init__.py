"""The audit trail (审计记录): who did what, when, why, with the data before and after; kept by every domain."""
