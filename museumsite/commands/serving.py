"""``museumsite serve``: the site on this machine, rebuilt and reloaded on every save.

The parser (with its checks of ``--port`` and ``--allow-host``) and the printing; the
server is in ``museumsite.serve``.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from typing import Any

from museumsite.commands import Subparsers, add_site_option, shown


def add_parser(commands: Subparsers) -> None:
    serve = commands.add_parser("serve", help="serve the site locally, rebuilding and reloading on every save",
                                description="Build the site into .museumsite-cache/serve/, serve it on "
                                            "127.0.0.1, rebuild when content, themes, locales or the config "
                                            "change, and reload open pages. Ctrl-C stops it.")
    add_site_option(serve)
    serve.add_argument("--port", type=_port, default=8000, metavar="N", help="the port (default: 8000; 0: any free one)")
    serve.add_argument("--bind", default="127.0.0.1", metavar="ADDR",
                       help="the address to listen on (default: 127.0.0.1, this machine only)")
    serve.add_argument("--allow-host", action="append", default=[], metavar="NAME", type=_host_option,
                       help="also answer requests for this host name (repeatable); by default only localhost, "
                            "127.0.0.1, [::1] and the --bind address, so no other site can read the preview "
                            "through DNS rebinding")
    serve.add_argument("--drafts", action="store_true", help="include entries marked 'draft: true'")
    serve.set_defaults(run=run_serve)


def _host_option(value: str) -> str:
    """A host name or IP address for --allow-host: what a browser puts in the Host header."""
    from museumsite.serve.server import host_name, is_ip

    name = host_name(value)
    if (name is None or name != value.strip("[]").lower().rstrip(".")
            or not (re.fullmatch(r"[a-z0-9_]([a-z0-9_.-]*[a-z0-9])?", name) or is_ip(name))):
        raise argparse.ArgumentTypeError(f"'{value}' is not a host name; write it as in the address bar, "
                                         "without http:// or a port, such as preview.example.test")
    return name


def _port(text: str) -> int:
    """A TCP port, checked while parsing: a wrong one is a usage error before any build, not a traceback after it."""
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a port number: give one from 1 to 65535") from None
    if not 0 <= number <= 65535:
        raise argparse.ArgumentTypeError(f"{number} is not a port number: give one from 1 to 65535")
    return number


def run_serve(args: argparse.Namespace) -> int:
    import signal

    from museumsite.serve.server import DevServer

    def terminate(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt  # `kill`, a process manager or a container stop: the same clean stop as Ctrl-C

    # Ctrl-C stops the server whatever the process was started with: a parent that ignored SIGINT (a job
    # started in the background by a script) or blocked it would leave a server that cannot be stopped.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
    server = DevServer(args.site, bind=args.bind, port=args.port, drafts=args.drafts,
                       allow_hosts=tuple(args.allow_host),
                       log=lambda message: print(message, file=sys.stderr, flush=True))
    server.start()
    # Before the address is printed: whoever read it may stop the server at once.
    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        print(f"Serving {shown(args.site)} at {server.url} (Ctrl-C to stop)", flush=True)
        while True:
            # Short sleeps: the system may hand Ctrl-C to another of the process's threads, which does not end
            # this one's sleep; Python runs the handler here, at the latest when the sleep ends (a sleep of an
            # hour left the server deaf to Ctrl-C, now and then, in the test suite).
            time.sleep(0.5)
    except KeyboardInterrupt:
        _stop(server)
    finally:
        signal.signal(signal.SIGTERM, previous)
    return 0


STOP_WAIT = 10.0  # seconds: a stop waits for a build in progress, and for no request longer than this


def _stop(server: Any) -> None:
    """Stop the server; if that takes more than STOP_WAIT (a request or a build that does not end), the
    process ends anyway: a preview server that cannot be stopped is worse than one cut short."""
    import os
    import threading

    stopper = threading.Thread(target=server.stop, name="museumsite-stop", daemon=True)
    stopper.start()
    try:
        stopper.join(STOP_WAIT)
    except KeyboardInterrupt:  # a second Ctrl-C: the author does not want to wait
        pass
    print("Stopped.", file=sys.stderr, flush=True)
    if stopper.is_alive():
        sys.stdout.flush()
        os._exit(0)
