"""Administration: approvals, organisations, accounts and roles, and the audit trail."""
