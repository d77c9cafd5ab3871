from django.core.management.base import BaseCommand, CommandError

from ops.catalogues import catalogues, problems


class Command(BaseCommand):
    help = (
        "Fail, listing file:line, when a catalogue has an untranslated or fuzzy entry, placeholders that differ "
        "from the English, or a plural entry missing forms (run by make lint)."
    )
    requires_system_checks = []

    def handle(self, *args, **options):
        files = catalogues()
        if not files:
            self.stdout.write("No catalogues yet under LOCALE_PATHS: nothing to check.")
            return
        found = [problem for po in files for problem in problems(po)]
        if found:
            self.stderr.write("\n".join(found))
            raise CommandError(f"{len(found)} problem(s) in {len(files)} catalogue(s): translate or fix them above.")
        self.stdout.write(f"{len(files)} catalogue(s) complete.")
