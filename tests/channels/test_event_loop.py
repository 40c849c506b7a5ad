"""The senders' event loop thread: coroutines from any thread, on uvloop, closed cleanly."""

from __future__ import annotations

import asyncio

import uvloop

from schoolbell.channels.event_loop import LoopThread


def test_coroutines_run_on_one_uvloop_thread_and_cleanup_runs_before_it_stops():
    loop_thread, cleaned = LoopThread("test-loop"), []

    async def which_loop():
        await asyncio.sleep(0)
        return asyncio.get_running_loop()

    async def cleanup():
        cleaned.append(True)

    running = loop_thread.run(which_loop())
    assert isinstance(running, uvloop.Loop)  # the CPU a worker saves on every message
    assert loop_thread.run(which_loop()) is running
    loop_thread.close(cleanup())
    assert cleaned == [True] and running.is_closed()
