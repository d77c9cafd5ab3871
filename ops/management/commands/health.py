import json
import socket

from django.core.management.base import BaseCommand, CommandError

from ops.health import part_alive, report


class Command(BaseCommand):
    help = (
        "Exit 0 when healthy, 1 when not. Without --part: the whole install, as /healthz reports it. With --part "
        "worker or watch: the part running on this host (a container's health check)."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--part", choices=["worker", "watch"])

    def handle(self, *args, part=None, **options):
        if part:
            if not part_alive(part, socket.gethostname()):
                raise CommandError(f"no {part} on this host has reported in")
            self.stdout.write(f"{part}: ok")
            return
        healthy, body = report(operator=True)  # run on the server: its operator
        self.stdout.write(json.dumps(body))
        if not healthy:
            raise CommandError("unhealthy")
