"""The receiver on its own event loop in a thread, as `run_sia_receiver` runs it."""

import asyncio
import threading

from alarms.receiver import Receiver


class RunningReceiver:
    """The receiver on its own event loop in a thread, as `run_sia_receiver` runs it."""

    def __init__(self):
        self.loop = asyncio.new_event_loop()
        self.receiver = Receiver(host="127.0.0.1", port=0, workers=4)
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

    def stop(self):
        asyncio.run_coroutine_threadsafe(self.receiver.stop(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
