"""Every write to the service desk; see the modules for each group."""
