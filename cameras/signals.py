"""What the cameras announce to other apps (DESIGN.md: Қорғау listens; cameras never imports it).

`plate_read(sender=PlateRead, read=<PlateRead>)` is sent once a plate read is committed, from every
source (our workers, smart cameras' ANPR, and later speed devices and patrols): a receiver only hands
over to a service or enqueues a task, and may mark the read matched (`plate_read_matched`)."""

from django.dispatch import Signal

plate_read = Signal()
