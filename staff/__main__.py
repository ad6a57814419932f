"""python -m staff: the staff web app on this machine only (127.0.0.1:8090 unless told otherwise)."""
from __future__ import annotations

import argparse
import ipaddress
import logging
import os

from werkzeug.serving import make_server

from staff.app import create_app

PORT_ENV = "HULPWIJZER_STAFF_PORT"
DEFAULT_PORT = 8090

logger = logging.getLogger("hulpwijzer.staff")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m staff", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1: only this machine can reach it)")
    parser.add_argument("--port", type=int, default=int(os.environ.get(PORT_ENV, DEFAULT_PORT)))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if args.host != "localhost" and not ipaddress.ip_address(args.host).is_loopback:
        logger.warning("Listening on %s: other machines can reach the staff app. Put it behind HTTPS.", args.host)
    app = create_app()
    server = make_server(args.host, args.port, app, threaded=True)
    logger.info("Hulpwijzer staff app on http://%s:%s (Ctrl+C stops it)", args.host, server.server_port)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
