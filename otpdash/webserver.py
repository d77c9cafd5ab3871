"""gunicorn serving the already loaded WSGI application, through gunicorn's documented custom
application API, so a forked web part shares the memory of the process it was forked from."""

from __future__ import annotations

from gunicorn.app.base import BaseApplication


class _LoadedApp(BaseApplication):
    def __init__(self, options: dict):
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from otpdash.wsgi import application

        return application


def serve(bind: str, threads: int) -> None:
    """One worker process with a pool of threads: a household's few clients never need a second
    copy of the app, and Django serves threads safely (each has its own database connection)."""
    _LoadedApp(
        {
            "bind": bind,
            "workers": 1,
            "worker_class": "gthread",
            "threads": threads,
            "accesslog": "-",
            "graceful_timeout": 5,
            "preload_app": True,
            # Its default path is per user, not per instance: two instances would take each other's.
            "control_socket_disable": True,
        }
    ).run()
