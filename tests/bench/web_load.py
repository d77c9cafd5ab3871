"""The load side of bench-web, in its own process: N clients on keep-alive connections for S seconds
(and at least one round of the pages each).
Each client takes the household pages in turn (dashboard, incidents, the account list, the busiest
account's page) with the minimal signed-in page between any two, so that both are served by the same
processes under the same load. Prints JSON: every latency in ms per page, and the errors."""

from __future__ import annotations

import http.client
import json
import sys
import threading
import time

MINIMAL = "/whoami/"
HOUSEHOLD = ("/dashboard/", "/incidents/", "/microsoft-accounts/")


def client(port, session, pages, until, latencies: dict, errors: list, offset: int) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Cookie": f"sessionid={session}", "Host": "127.0.0.1"}
    n = offset
    # Every client goes round all pages at least once, however slow the first requests are, so
    # that each page has a figure even in a short run.
    while time.monotonic() < until or n - offset < len(pages):
        page = pages[n % len(pages)]
        n += 1
        started = time.perf_counter()
        try:
            conn.request("GET", page, headers=headers)
            response = conn.getresponse()
            body = response.read()
            wanted = b"\n" if page == MINIMAL else b"<html"
            if response.status != 200 or wanted not in body:
                errors.append(f"{page}: {response.status}")
        except (OSError, http.client.HTTPException) as exc:
            errors.append(f"{page}: {exc!r}")
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            continue
        latencies[page].append((time.perf_counter() - started) * 1000)
    conn.close()


def main() -> None:
    port, session, account_page = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    clients, seconds = int(sys.argv[4]), float(sys.argv[5])
    household = [*HOUSEHOLD, account_page]
    pages = [page for pair in zip(household, [MINIMAL] * len(household), strict=True) for page in pair]
    latencies: dict[str, list[float]] = {page: [] for page in pages}
    errors: list[str] = []
    until = time.monotonic() + seconds
    threads = [
        threading.Thread(target=client, args=(port, session, pages, until, latencies, errors, i))
        for i in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(json.dumps({"latencies": latencies, "errors": errors, "minimal": MINIMAL}))


if __name__ == "__main__":
    main()
