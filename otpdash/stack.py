"""The whole app as one command for a small machine: `python -m otpdash.stack`.

Django, the URL map and the detector are loaded once, then the web server, the task cluster and the
mailbox watcher are forked from that process, so they share its memory instead of each loading their
own copy (see the README for the figures). Each part runs in its own process group; Ctrl-C or
SIGTERM stops them all, a part that is still running after the grace period is killed with its
children, and a part that dies on its own is started again after a pause.
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import logging
import os
import signal
import sys
import time

from otpdash.env import env

ROLES = ("web", "worker", "watch")
GRACE_SECONDS = 8.0  # gunicorn's graceful timeout is 5 s; the cluster and the watcher need about 2
RESTART_PAUSE = 5.0
POLL_SECONDS = 0.2
PR_SET_PDEATHSIG = 1  # linux/prctl.h

log = logging.getLogger("otpdash.stack")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m otpdash.stack", description=__doc__.split("\n\n")[0])
    parser.add_argument("--bind", default=env("OTPDASH_BIND", "127.0.0.1:8000"))
    parser.add_argument("--threads", type=int, default=int(env("OTPDASH_WEB_THREADS", "4")))
    parser.add_argument("roles", nargs="*", metavar="ROLE", help="web, worker or watch (default: all three)")
    args = parser.parse_args(argv)
    unknown = set(args.roles) - set(ROLES)
    if unknown:
        parser.error(f"unknown part {sorted(unknown)[0]!r}: choose from {', '.join(ROLES)}")

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "otpdash.settings")
    import django

    django.setup()
    _preload()
    return Stack(args.roles or list(ROLES), args.bind, args.threads).run()


def _preload() -> None:
    """Import what every part would import on its own, before forking, so the pages are shared."""
    from django.db import connections
    from django.urls import get_resolver

    import detect  # noqa: F401
    from otpdash.wsgi import application  # noqa: F401
    from scanner import watcher  # noqa: F401

    _ = get_resolver().url_patterns  # imports every view module
    connections.close_all()  # a connection must never be shared by a parent and its children
    gc.freeze()  # the collector then never touches the shared objects, so their pages stay shared


class Stack:
    def __init__(self, roles: list[str], bind: str, threads: int):
        self.roles = list(dict.fromkeys(roles))
        self.bind = bind
        self.threads = threads
        self.children: dict[int, str] = {}
        self.stopping = False

    def run(self) -> int:
        signal.signal(signal.SIGINT, self._on_signal)
        signal.signal(signal.SIGTERM, self._on_signal)
        terminal = _take_the_terminal()
        try:
            return self._run()
        finally:
            _give_back(terminal)

    def _run(self) -> int:
        for role in self.roles:
            self._spawn(role)
        # Polled rather than a blocking wait: a wait is resumed after a signal (PEP 475), and
        # Ctrl-C must be acted on at once.
        while not self.stopping:
            ended = self._reap()
            if not ended:
                time.sleep(POLL_SECONDS)
                continue
            for pid, role, status in ended:
                _signal(os.killpg, pid, signal.SIGKILL)  # what it left behind would hold its port or lock
                log.error("stack: %s ended unexpectedly (%s); starting it again in %.0f s", role,
                          _describe(status), RESTART_PAUSE)  # fmt: skip
            self._pause(RESTART_PAUSE)
            for _pid, role, _status in ended:
                if not self.stopping:
                    self._spawn(role)
        self._stop_all()
        return 0

    def _reap(self) -> list[tuple[int, str, int]]:
        ended = []
        while self.children:
            pid, status = os.waitpid(-1, os.WNOHANG)
            if not pid:
                break
            if pid in self.children:
                ended.append((pid, self.children.pop(pid), status))
        return ended

    def _pause(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not self.stopping and time.monotonic() < deadline:
            time.sleep(POLL_SECONDS)

    def _on_signal(self, signum, frame) -> None:
        if not self.stopping:
            self.stopping = True
            log.info("stack: %s received, stopping %s", signal.Signals(signum).name, ", ".join(self.roles))

    def _spawn(self, role: str) -> None:
        stack_pid = os.getpid()
        pid = os.fork()
        if pid:
            self.children[pid] = role
            log.info("stack: %s started (pid %d)", role, pid)
            return
        code = 1
        try:
            os.setpgid(0, 0)  # its own group: one signal reaches the part and every process it starts
            _stop_with(stack_pid)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            _run_role(role, self.bind, self.threads)
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        except BaseException:
            log.exception("%s failed", role)
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)

    def _stop_all(self) -> None:
        # Each part's own first process is told to stop, and stops its children itself: the task
        # cluster then lets a running task finish and gunicorn finishes its requests.
        groups = list(self.children)
        for pid in groups:
            _signal(os.kill, pid, signal.SIGTERM)
        deadline = time.monotonic() + GRACE_SECONDS
        while self.children and time.monotonic() < deadline:
            if not self._reap():
                time.sleep(POLL_SECONDS / 2)
        for role in self.children.values():
            log.warning("stack: %s did not stop within %.0f s; killing it", role, GRACE_SECONDS)
        for pgid in groups:  # a part still running, and anything a stopped part left behind
            _signal(os.killpg, pgid, signal.SIGKILL)
        for pid in self.children:
            os.waitpid(pid, 0)
        self.children.clear()
        log.info("stack: stopped")


def _run_role(role: str, bind: str, threads: int) -> None:
    from django.core.management import call_command

    if role == "web":
        from otpdash.webserver import serve

        serve(bind, threads)
    elif role == "worker":
        import multiprocessing

        # qcluster returns once its sentinel runs, and the command's own process then waits for it
        # at exit (a non-daemon child); a forked part leaves with os._exit, so it waits here.
        call_command("qcluster")
        for child in multiprocessing.active_children():
            child.join()
    else:
        call_command("watch")


def _take_the_terminal() -> tuple[int, int] | None:
    """Started in a terminal's foreground (make run), the stack becomes the foreground group itself.
    Ctrl-C then reaches only the stack, which stops every part and exits 0; make, which would
    otherwise die of the same SIGINT and report "Error 130", just sees the clean exit. Returns what
    to give back: the terminal and the group that had it."""
    try:
        fd = sys.stdin.fileno()
        if not os.isatty(fd) or os.tcgetpgrp(fd) != os.getpgrp():
            return None
    except (OSError, ValueError):
        return None  # no terminal, or not in its foreground (systemd, a container, a test)
    previous = os.getpgrp()
    signal.signal(signal.SIGTTOU, signal.SIG_IGN)  # a background group may hand the terminal on
    os.setpgid(0, 0)
    os.tcsetpgrp(fd, os.getpgrp())
    return fd, previous


def _give_back(terminal: tuple[int, int] | None) -> None:
    if terminal is not None:
        try:
            os.tcsetpgrp(*terminal)
        except OSError:
            pass  # the terminal is gone (closed window): nobody to give it back to


def _stop_with(stack_pid: int) -> None:
    """Have the kernel send SIGTERM to this part when the stack process dies (killed, out of memory),
    so no part outlives it holding the port or the mailboxes (Linux; elsewhere parts may linger)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        return
    if os.getppid() != stack_pid:  # it died before the request took effect
        os.kill(os.getpid(), signal.SIGTERM)


def _signal(send, pid: int, signum: int) -> None:
    try:
        send(pid, signum)
    except ProcessLookupError:
        pass


def _describe(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"killed by {signal.Signals(os.WTERMSIG(status)).name}"
    return f"exit status {os.waitstatus_to_exitcode(status)}"


if __name__ == "__main__":
    sys.exit(main())
