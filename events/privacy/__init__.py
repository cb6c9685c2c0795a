"""Privacy (GDPR): a person's data exported (art. 15/20) or erased, retention, and the audit log's viewer."""
