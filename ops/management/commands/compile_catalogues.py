from django.core.management.base import BaseCommand

from ops.catalogues import catalogues, compile_catalogue


class Command(BaseCommand):
    help = "Compile every locale/*/LC_MESSAGES/*.po into its .mo with polib (no gettext package needed)."
    requires_system_checks = []

    def handle(self, *args, **options):
        done = [compile_catalogue(po) for po in catalogues()]
        self.stdout.write(f"Compiled {len(done)} catalogue(s)." if done else "No catalogues yet: nothing to compile.")
