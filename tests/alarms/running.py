"""The receiver on its own event loop in a thread, as `run_sia_receiver` runs it."""

import asyncio
import threading

from alarms.receiver import Receiver


class RunningReceiver:
    """The receiver on its own event loop in a thread, as `run_sia_receiver` runs it; `options` are the
    receiver's bounds (max_connections=..., frame_seconds=...)."""

    def __init__(self, workers: int = 1, **options):
        self.loop = asyncio.new_event_loop()
        self.receiver = Receiver(host="127.0.0.1", port=0, workers=workers, **options)
        started = threading.Event()

        def run():
            asyncio.set_event_loop(self.loop)
            self.loop.run_until_complete(self.receiver.start())
            started.set()
            self.loop.run_forever()

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()
        assert started.wait(10)
        self.port = self.receiver.port

    def call(self, coroutine_function, *args):
        """Run a coroutine on the receiver's loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coroutine_function(*args), self.loop).result(30)

    def flush(self):
        """Write the refusals counted so far (the receiver does it every few seconds)."""
        self.call(self.receiver.flush_refusals)

    def stop(self):
        self.call(self.receiver.stop)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
