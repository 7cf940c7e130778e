"""Staff pages: one module per area (dashboard, lists, detail, language)."""
