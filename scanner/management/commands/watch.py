import logging
import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from scanner.imap.idle import RENEW_AFTER
from scanner.watcher import Supervisor

log = logging.getLogger("scanner.watcher")


class Command(BaseCommand):
    help = (
        "Hold an IMAP IDLE connection per watched folder and scan as soon as mail arrives. Several watch processes, "
        "on one machine or several, share the mailboxes between them. Stops on SIGTERM."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--refresh",
            type=float,
            default=2.0,
            help="seconds between re-reading the mailbox list and the other watchers' state (mostly reads)",
        )
        parser.add_argument(
            "--max-connections",
            type=int,
            default=settings.WATCH_MAX_CONNECTIONS,
            help="IMAP connections this process holds at most, one per watched folder "
            "(default OTPDASH_WATCH_MAX_CONNECTIONS, %(default)s)",
        )
        parser.add_argument(
            "--renew",
            type=float,
            default=RENEW_AFTER,
            help="seconds after which IDLE is re-issued (at most 29 minutes, RFC 2177)",
        )

    def handle(self, *args, refresh, renew, max_connections, **options):
        if max_connections < 1:
            raise CommandError("--max-connections must be at least 1")
        stop = threading.Event()

        def on_signal(signum, frame):
            log.info("watch: %s received, stopping", signal.Signals(signum).name)
            stop.set()

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        log.info("watch: started")
        Supervisor(stop, refresh=refresh, renew_after=min(renew, 29 * 60), max_connections=max_connections).run()
        log.info("watch: stopped")
