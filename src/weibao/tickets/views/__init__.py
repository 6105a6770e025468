"""Staff pages of the service desk, one module per group of pages."""
