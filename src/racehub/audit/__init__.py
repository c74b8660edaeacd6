"""The audit log: logins, failed challenges, every question with its SQL and row count, workflow requests."""
