"""Every write of the spine; apps raise and change alerts, audit and outbox only through these."""
