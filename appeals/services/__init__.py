"""Every write of the appeals app."""
