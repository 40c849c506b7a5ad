"""Command line: `python -m schoolbell.simulator --port 8765 [--latency-ms 100] [--outage drop] …`."""

import argparse
import logging

import uvloop
from aiohttp import web

from schoolbell.simulator.app import (
    DEFAULT_ACCOUNT_SID,
    DEFAULT_AUTH_TOKEN,
    Simulator,
    SimulatorSettings,
    make_app,
)
from schoolbell.simulator.recorder import Recorder
from schoolbell.simulator.state import OUTAGES


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
    parser.add_argument(
        "--outage", choices=OUTAGES, default="off",
        help="503: answer every create 503; drop: read it, maybe accept it, close unanswered",
    )
    parser.add_argument("--drop-accept-rate", type=float, default=0.5,
                        help="with --outage drop, the fraction of dropped creates still accepted")
    parser.add_argument("--throttle-rate", type=float, default=0.0,
                        help="fraction of creates answered 429 (code 20429) with Retry-After")
    parser.add_argument("--retry-after", type=int, default=1, help="Retry-After seconds on a 429")
    parser.add_argument("--seed", type=int, help="seed for the rates, for repeatable runs")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    """Serve until interrupted (SIGINT or SIGTERM); modes change live via POST /_simulator/mode."""
    args = parse_args(argv)
    for name in ("error_rate", "drop_accept_rate", "throttle_rate"):
        if not 0.0 <= getattr(args, name) <= 1.0:
            raise SystemExit(f"--{name.replace('_', '-')} must be between 0 and 1")
    if args.retry_after < 0:
        raise SystemExit("--retry-after must not be negative")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    settings = SimulatorSettings(
        account_sid=args.account_sid,
        auth_token=args.auth_token,
        latency_ms=args.latency_ms,
        error_rate=args.error_rate,
        callback_delay_ms=args.callback_delay_ms,
        outage=args.outage,
        drop_accept_rate=args.drop_accept_rate,
        throttle_rate=args.throttle_rate,
        retry_after_s=args.retry_after,
        seed=args.seed,
    )
    app = make_app(Simulator(settings, Recorder(args.record)))
    print(
        f"Twilio simulator on http://{args.host}:{args.port} "
        f"(account {settings.account_sid}, token {settings.auth_token})",
        flush=True,
    )
    # uvloop: the simulator stands in for a provider on another machine, so the less of this one it
    # takes, the more a benchmark's figures are the workers' own (a fifth less CPU per message).
    web.run_app(app, host=args.host, port=args.port, access_log=None, print=None,
                loop=uvloop.new_event_loop())


if __name__ == "__main__":
    main()
