"""The load side of bench-web, in its own process: N clients on keep-alive connections for S seconds,
alternating the dashboard and the incident list. Prints JSON: every latency in ms and the errors."""

from __future__ import annotations

import http.client
import json
import sys
import threading
import time

PAGES = ("/dashboard/", "/incidents/")


def client(port: int, session: str, until: float, latencies: list, errors: list, offset: int) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Cookie": f"sessionid={session}", "Host": "127.0.0.1"}
    n = offset
    while time.monotonic() < until:
        page = PAGES[n % len(PAGES)]
        n += 1
        started = time.perf_counter()
        try:
            conn.request("GET", page, headers=headers)
            response = conn.getresponse()
            body = response.read()
            if response.status != 200 or b"<html" not in body:
                errors.append(f"{page}: {response.status}")
        except (OSError, http.client.HTTPException) as exc:
            errors.append(f"{page}: {exc!r}")
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            continue
        latencies.append((time.perf_counter() - started) * 1000)
    conn.close()


def main() -> None:
    port, session, clients, seconds = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    latencies: list[float] = []
    errors: list[str] = []
    until = time.monotonic() + seconds
    threads = [
        threading.Thread(target=client, args=(port, session, until, latencies, errors, i)) for i in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(json.dumps({"latencies": latencies, "errors": errors}))


if __name__ == "__main__":
    main()
