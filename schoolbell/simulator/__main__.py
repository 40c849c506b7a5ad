"""Command line: `python -m schoolbell.simulator --port 8765 [--latency-ms 100] …`."""

import argparse
import logging

from aiohttp import web

from schoolbell.simulator.app import (
    DEFAULT_ACCOUNT_SID,
    DEFAULT_AUTH_TOKEN,
    Simulator,
    SimulatorSettings,
    make_app,
)
from schoolbell.simulator.recorder import Recorder


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The simulator's command-line options."""
    parser = argparse.ArgumentParser(
        prog="python -m schoolbell.simulator", description="Twilio Messages API simulator"
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--error-rate", type=float, default=0.0, help="fraction answered 503")
    parser.add_argument("--callback-delay-ms", type=float, default=0.0)
    parser.add_argument("--record", metavar="FILE.jsonl", help="append accepted messages here")
    parser.add_argument("--account-sid", default=DEFAULT_ACCOUNT_SID)
    parser.add_argument("--auth-token", default=DEFAULT_AUTH_TOKEN)
    parser.add_argument("--seed", type=int, help="seed for --error-rate, for repeatable runs")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    """Serve until interrupted (SIGINT or SIGTERM)."""
    args = parse_args(argv)
    if not 0.0 <= args.error_rate <= 1.0:
        raise SystemExit("--error-rate must be between 0 and 1")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    settings = SimulatorSettings(
        account_sid=args.account_sid,
        auth_token=args.auth_token,
        latency_ms=args.latency_ms,
        error_rate=args.error_rate,
        callback_delay_ms=args.callback_delay_ms,
        seed=args.seed,
    )
    app = make_app(Simulator(settings, Recorder(args.record)))
    print(
        f"Twilio simulator on http://{args.host}:{args.port} "
        f"(account {settings.account_sid}, token {settings.auth_token})",
        flush=True,
    )
    web.run_app(app, host=args.host, port=args.port, access_log=None, print=None)


if __name__ == "__main__":
    main()
