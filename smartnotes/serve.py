"""``python -m smartnotes.serve``: the production web server, HTTP and websockets (`make run`, Procfile, docker).

uvicorn hands a request body to the app as it arrives, so ``apps.core.body_limit`` can refuse an over-limit
upload unread; Daphne queued a whole body in memory first (a 150 MB upload took it from 516 MB to 2.2 GB).
HOST, PORT and WEB_CONCURRENCY (worker processes) come from the environment unless given as options;
uvicorn itself reads FORWARDED_ALLOW_IPS (the proxies whose X-Forwarded-For it trusts; default loopback).
"""

import argparse

import uvicorn

from smartnotes.env import env_int, env_str, stop_on_improper_env

APP = "smartnotes.asgi:application"
PROTOCOL = "smartnotes.uvicorn_limits:HttpProtocol"


def main(argv: list[str] | None = None) -> None:
    with stop_on_improper_env():
        host = env_str("HOST", "127.0.0.1")
        port = env_int("PORT", 8000, minimum=0, maximum=65535)
        workers = env_int("WEB_CONCURRENCY", 1, minimum=1)
    parser = argparse.ArgumentParser(prog="python -m smartnotes.serve", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=host)
    parser.add_argument("--port", type=int, default=port)
    parser.add_argument("--workers", type=int, default=workers, help="worker processes (WEB_CONCURRENCY)")
    args = parser.parse_args(argv)
    # Channels' router has no lifespan protocol: "off" instead of a warning at every start.
    uvicorn.run(APP, host=args.host, port=args.port, workers=args.workers, http=PROTOCOL, lifespan="off")


if __name__ == "__main__":
    main()
