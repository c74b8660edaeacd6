"""A live-stream client for tests: reads `GET /v1/live` on a thread and parses its Server-Sent Events."""

from __future__ import annotations

import json
import queue
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx


@dataclass
class SseEvent:
    id: int | None
    event: str
    data: dict[str, Any]


@dataclass
class LiveClient:
    """One connection to the live stream; `events` fills as they arrive, `comments` counts comment lines."""

    url: str
    key: str
    params: dict[str, str] = field(default_factory=dict)
    last_event_id: int | None = None
    events: queue.Queue[SseEvent] = field(default_factory=queue.Queue)
    comments: list[str] = field(default_factory=list)
    status: int | None = None
    connected: threading.Event = field(default_factory=threading.Event)
    ended: threading.Event = field(default_factory=threading.Event)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> LiveClient:
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()
        if not self.connected.wait(15):
            raise AssertionError("the live stream did not answer")
        return self

    def _read(self) -> None:
        headers = {"Authorization": f"Bearer {self.key}", "Accept": "text/event-stream"}
        if self.last_event_id is not None:
            headers["Last-Event-ID"] = str(self.last_event_id)
        try:
            with (
                httpx.Client(timeout=httpx.Timeout(30, read=60)) as client,
                client.stream("GET", f"{self.url}/v1/live", params=self.params, headers=headers) as response,
            ):
                self.status = response.status_code
                if response.status_code != 200:
                    response.read()
                    self.comments.append(response.text)
                    self.connected.set()
                    return
                fields: dict[str, str] = {}
                for line in response.iter_lines():
                    if self._stop.is_set():
                        return
                    if line.startswith(":"):
                        self.comments.append(line[1:].strip())
                        self.connected.set()
                    elif not line:
                        if "data" in fields:
                            self.events.put(
                                SseEvent(
                                    int(fields["id"]) if "id" in fields else None,
                                    fields.get("event", "message"),
                                    json.loads(fields["data"]),
                                )
                            )
                        fields = {}
                    else:
                        name, _, value = line.partition(":")
                        fields[name] = value[1:] if value.startswith(" ") else value
        except httpx.HTTPError:
            pass
        finally:
            self.connected.set()
            self.ended.set()

    def take(self, count: int, timeout: float = 10.0) -> list[SseEvent]:
        """The next `count` events, waiting up to `timeout` seconds for them."""
        got: list[SseEvent] = []
        deadline = time.monotonic() + timeout
        while len(got) < count:
            left = deadline - time.monotonic()
            if left <= 0:
                kinds = sorted({e.event for e in got})
                raise AssertionError(f"only {len(got)} of {count} events arrived (kinds: {kinds})")
            try:
                got.append(self.events.get(timeout=left))
            except queue.Empty:
                continue
        return got

    def quiet(self, seconds: float = 1.0) -> list[SseEvent]:
        """Events that arrive within `seconds` (expected: none)."""
        time.sleep(seconds)
        got = []
        while not self.events.empty():
            got.append(self.events.get_nowait())
        return got

    def stop(self) -> None:
        """Disconnect: the read loop leaves at its next line (a heartbeat at the latest) and closes."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
