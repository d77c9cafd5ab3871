import logging
import signal
import threading

from django.core.management.base import BaseCommand

from scanner.imap.idle import RENEW_AFTER
from scanner.watcher import Supervisor

log = logging.getLogger("scanner.watcher")


class Command(BaseCommand):
    help = "Hold an IMAP IDLE connection per watched folder and scan as soon as mail arrives. Stops on SIGTERM."

    def add_arguments(self, parser):
        parser.add_argument(
            "--refresh",
            type=float,
            default=30.0,
            help="seconds between re-reading the mailbox list (added, edited, paused mailboxes)",
        )
        parser.add_argument(
            "--renew",
            type=float,
            default=RENEW_AFTER,
            help="seconds after which IDLE is re-issued (at most 29 minutes, RFC 2177)",
        )

    def handle(self, *args, refresh, renew, **options):
        stop = threading.Event()

        def on_signal(signum, frame):
            log.info("watch: %s received, stopping", signal.Signals(signum).name)
            stop.set()

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        log.info("watch: started")
        Supervisor(stop, refresh=refresh, renew_after=min(renew, 29 * 60)).run()
        log.info("watch: stopped")
