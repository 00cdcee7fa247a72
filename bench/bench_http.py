"""Load test of ``POST /screen`` on loopback: requests/s and p50/p99 latency.

Starts ``clearance serve --workers N`` on a free 127.0.0.1 port with a fresh key, waits for
``/readyz``, then drives it with an asyncio httpx client: a fixed number of requests at a fixed
concurrency, under a time cap. Targets (issue 5): >= 500 requests/s with 2 workers, p99 <= 50 ms.

    .venv/bin/python bench/bench_http.py [--requests 5000] [--concurrency 8] [--workers 2]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

NAMES = [
    "Joaquin Guzman",
    "Tren de Aragua",
    "Cartel of the Suns",
    "Nicolas Maduro Moros",
    "Mara Salvatrucha",
    "Jalisco New Generation Cartel",
    "John Smith",
    "Maria Garcia Lopez",
    "Oseguera Cervantes",
    "Acme Trading LLC",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def clearance(*args: str, env: dict[str, str]) -> str:
    exe = Path(sys.executable).with_name("clearance")
    return subprocess.run(
        [str(exe), *args], env=env, check=True, capture_output=True, text=True
    ).stdout


async def wait_ready(base: str, deadline: float) -> None:
    async with httpx.AsyncClient(base_url=base) as client:
        while time.monotonic() < deadline:
            try:
                if (await client.get("/readyz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.25)
    raise SystemExit("server did not become ready in time")


class Connection:
    """One keep-alive HTTP/1.1 connection over asyncio streams.

    httpx costs about a millisecond of client CPU per request, which on a small machine takes
    the CPU the server under test needs; writing the request bytes and reading the
    ``Content-Length`` body directly costs a few tens of microseconds.
    """

    def __init__(self, host: str, port: int, key: str) -> None:
        self.host, self.port, self.key = host, port, key

    async def __aenter__(self) -> Connection:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.writer.close()

    async def post_json(self, path: str, body: bytes) -> tuple[int, bytes]:
        self.writer.write(
            f"POST {path} HTTP/1.1\r\nHost: {self.host}\r\nX-API-Key: {self.key}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = 0
        for line in head.split(b"\r\n"):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        return status, await self.reader.readexactly(length)


async def drive(
    host: str, port: int, key: str, requests: int, concurrency: int, cap: float
) -> dict:
    latencies: list[float] = []
    errors = 0
    counter = iter(range(requests))
    stop_at = time.monotonic() + cap
    bodies = [json.dumps({"name": name, "limit": 5}).encode() for name in NAMES]

    async def worker() -> None:
        nonlocal errors
        async with Connection(host, port, key) as connection:
            for i in counter:
                if time.monotonic() > stop_at:
                    return
                started = time.perf_counter()
                status, payload = await connection.post_json("/screen", bodies[i % len(bodies)])
                latencies.append(time.perf_counter() - started)
                if status != 200 or not payload.startswith(b'{"query"'):
                    errors += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "errors": errors,
        "seconds": round(elapsed, 2),
        "requests_per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 2),
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument(
        "--concurrency",
        type=int,
        default=8,
        help="requests in flight; by Little's law latency = concurrency / throughput",
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--time-cap", type=float, default=60.0, help="seconds of load at most")
    parser.add_argument(
        "--home", help="CLEARANCE_HOME with lists already imported (default: current)"
    )
    args = parser.parse_args()

    env = dict(os.environ)
    if args.home:
        env["CLEARANCE_HOME"] = args.home
    created = json.loads(
        clearance(
            "keys", "create", "--name", "bench_http", "--role", "screening", "-f", "json", env=env
        )
    )
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("clearance")), "serve", "--host", "127.0.0.1",
            "--port", str(port), "--workers", str(args.workers),
            "--rate-limit", "1000000", "--rate-burst", "1000000", "--log-level", "warning",
        ],
        env=env,
    )  # fmt: skip
    try:
        asyncio.run(wait_ready(base, time.monotonic() + 120))
        asyncio.run(drive("127.0.0.1", port, created["key"], 200, args.concurrency, 30))  # warm-up
        result = asyncio.run(
            drive("127.0.0.1", port, created["key"], args.requests, args.concurrency, args.time_cap)
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
        clearance("keys", "revoke", created["key_id"], env=env)
    result.update(workers=args.workers, concurrency=args.concurrency)
    print(json.dumps(result))
    print(
        f"POST /screen: {result['requests_per_s']} requests/s, p50 {result['p50_ms']} ms, "
        f"p99 {result['p99_ms']} ms ({result['requests']} requests, {result['errors']} errors, "
        f"{args.workers} workers, concurrency {args.concurrency}); targets >= 500/s, p99 <= 50 ms"
    )


if __name__ == "__main__":
    main()
