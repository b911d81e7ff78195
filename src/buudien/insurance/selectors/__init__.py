"""Every read on the insurance agency, scoped by the acting user."""
