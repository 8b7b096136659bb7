"""Keys typed ahead of the screen: handled one at a time, in the order they were typed, each by
the screen that is up once the keys before it have done their work.

Textual hands every key to the focused widget as soon as the app reads it, so a burst (a fast
typist between groups, a macro, keys typed while the app starts) is all handed out before the
first key has done anything. Two things then go wrong:

- A key's binding can run on a screen that has not mounted yet: a priority binding (Today's
  ← →) runs as soon as the app reads the key, on whatever screen is on top
  (``ValueError: 6 cells for 0 columns``: Today's tables had no columns yet).
- Keys typed after the key that opens a screen (Enter on Today's groups opens score entry)
  go to the old screen's widget, or to the new screen before its field has focus, and are
  lost: the new screen opens with its fields empty.

So the app lets one key (or paste) through at a time (``TypeAhead.admit``) and holds the
rest. A key let through is followed (``routed``) through every message queue it passes — the
widget it went to, each parent up to the screen, the app, where its binding runs — and then
once more, so that the messages its binding posted there are handled too (a table's
``RowSelected`` → the screen pushes score entry). Then, before the next key is let through,
the screen on top must be mounted, its focus set, and ready (a screen's ``ready_for_keys()``:
score entry says no while its session log is about to open). Each hop is a callback posted
behind what a queue already holds: nothing is timed on the way, and a key typed at an idle
screen goes straight through.

Nothing is ever dropped: if following a key stalls (a queue that never gets to the callback),
the keys held are let through after ``STALL`` seconds, as Textual alone would have done.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING

from textual import events

if TYPE_CHECKING:
    from textual.app import App
    from textual.message_pump import MessagePump

#: Seconds without progress after which the held keys are let through anyway.
STALL = 1.0
#: How often a stall, a screen not yet ready or a closed queue is looked at while a key is
#: followed (only then: nothing runs while no key is being followed).
LOOK = 0.02

TypedEvent = events.Key | events.Paste


class TypeAhead:
    """The app's gate for typed keys and pastes (see the module docstring)."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.held: deque[TypedEvent] = deque()
        self.busy = False  # a key is being followed, or the screen is not ready yet
        self.released: list[TypedEvent] = []  # held keys posted back to the app to go out
        self.passing = False  # the app is closing: every key goes out as it comes
        self.generation = 0  # callbacks of an earlier key (after a stall) are ignored
        self.steps = 0  # steps taken: a look that sees the same count saw no progress
        self.idle_looks = 0  # looks in a row that saw no progress
        self.waiting_on: MessagePump | None = None  # the queue the next step waits for
        self.watching = False  # a look is scheduled
        self.idle_callbacks: list[Callable[[], object]] = []  # ``when_idle``'s

    # ------------------------------------------------------------------ the gate
    def admit(self, event: TypedEvent) -> bool:
        """True: hand this key out now (and call ``routed`` after). False: it is held and
        will come back to the app in its turn."""
        for i, released in enumerate(self.released):
            if released is event:
                del self.released[i]
                return True
        if self.passing:
            return True
        if self.busy or self.held or not self.ready():
            self.held.append(event)
            if not self.busy:
                self._start()
                self._when_ready()
            return False
        self._start()
        return True

    def routed(self, target: MessagePump | None) -> None:
        """The key admitted has been handed to ``target`` (the focused widget or the screen;
        or it ran a priority binding): follow it there and up to the app, twice."""
        if self.passing:
            return
        nodes = self._chain(target)
        generation = self.generation
        self._chase(nodes, generation, lambda: self._chase(nodes, generation, self._when_ready))

    def when_idle(self, callback: Callable[[], object]) -> None:
        """Call ``callback`` once every key held has been handed out and followed (now if
        none is): closing on a signal must not leave typed keys in the gate. (A callback,
        not an await: the keys go through the app's own queue.)"""
        if not self.busy and not self.held:
            callback()
        else:
            self.idle_callbacks.append(callback)

    def ready(self) -> bool:
        """The screen on top is mounted and takes keys."""
        try:
            screen = self.app.screen
        except Exception:  # no screen yet (the app is starting or closing)
            return False
        if not screen.is_mounted:
            return False
        ready: Callable[[], bool] | None = getattr(screen, "ready_for_keys", None)
        return ready is None or ready()

    # ------------------------------------------------------------------ following a key
    def _start(self) -> None:
        self.busy = True
        self.generation += 1
        self.steps += 1
        self.idle_looks = 0
        self._watch()

    def _chain(self, target: MessagePump | None) -> list[MessagePump]:
        """``target`` and its parents up to the app (the way a key bubbles)."""
        nodes: list[MessagePump] = []
        node = target
        while node is not None:
            nodes.append(node)
            node = node._parent
        if not nodes or nodes[-1] is not self.app:
            nodes.append(self.app)
        return nodes

    def _chase(self, nodes: list[MessagePump], generation: int, then: Callable[[], None]) -> None:
        """Run ``then`` once each of ``nodes`` in turn has handled what it held (a callback
        posted behind it); a queue that is closed is passed."""

        def step(i: int) -> None:
            if generation != self.generation:
                return  # given up on (a stall): a newer key is being followed
            self.steps += 1
            while i < len(nodes):
                node = nodes[i]
                self.waiting_on = node
                if node.call_later(step, i + 1):
                    return
                i += 1
            self.waiting_on = None
            then()

        step(0)

    def _when_ready(self) -> None:
        """Let the next key through once the screen on top is mounted, its focus set (a
        callback on the app after its mount) and it takes keys."""
        generation = self.generation
        try:
            screen = self.app.screen
        except Exception:
            screen = None
        if screen is not None and not screen.is_mounted:
            # its queue runs only after its mount; the app's then sets the focus it asked for
            self._chase([screen, self.app], generation, self._when_ready)
            return
        if screen is None or not self.ready():
            self.waiting_on = None
            self._look_again(generation)
            return
        self._next()

    def _look_again(self, generation: int) -> None:
        """Check readiness again shortly (a screen that said not yet, or no screen)."""

        def again() -> None:
            if generation == self.generation and self.busy:
                self._when_ready()

        asyncio.get_running_loop().call_later(LOOK, self.app.call_later, again)

    def _next(self) -> None:
        """The key followed is done: let the next one held through, or open the gate."""
        self.waiting_on = None
        if not self.held:
            self.busy = False
            self.generation += 1
            callbacks, self.idle_callbacks = self.idle_callbacks, []
            for callback in callbacks:
                callback()
            return
        event = self.held.popleft()
        self._start()
        self.released.append(event)
        if not self.app.post_message(event):  # the app is closing: nothing more to hand out
            self.released.clear()
            self.held.clear()
            self.busy = False
            self.idle_callbacks.clear()

    def open_up(self) -> None:
        """The app is about to close with no one to ask (a signal): from now on every key goes
        out as it comes, as Textual alone does, and the keys held go out now, in order, ahead
        of the app's exit (which ends its queue: a key posted after it is never read)."""
        self.passing = True
        self.generation += 1
        self.busy = False
        while self.held:
            event = self.held.popleft()
            self.released.append(event)
            self.app.post_message(event)
        callbacks, self.idle_callbacks = self.idle_callbacks, []
        for callback in callbacks:
            callback()

    # ------------------------------------------------------------------ never stuck
    def _watch(self) -> None:
        """While busy, look every LOOK seconds: a step waiting on a queue that has closed
        goes on to the screen's readiness; no progress in STALL seconds of looks lets the
        next key through. (Looks are counted, not the clock: a handler that keeps the app
        busy for a while delays the looks too, and is not a stall.)"""
        if self.watching:
            return
        self.watching = True
        seen = self.steps

        def look() -> None:
            self.watching = False
            if not self.busy:
                return
            self.idle_looks = self.idle_looks + 1 if self.steps == seen else 0
            node = self.waiting_on
            if node is not None and (node._closing or node._closed):
                self.generation += 1  # its callback will never come: the step is passed
                self._when_ready()
            elif self.idle_looks * LOOK >= STALL:
                self.generation += 1
                self._next()
            self._watch()

        asyncio.get_running_loop().call_later(LOOK, self.app.call_later, look)
