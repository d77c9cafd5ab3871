"""The trusted CA certificate moves from a path on this machine into the database as PEM text."""

from django.db import migrations, models

MAX_PEM_BYTES = 64 * 1024


def copy_certificates(apps, schema_editor):
    """Read each CA file once, as the scanner did at every scan; a file that is gone, not a regular
    file, too large or not PEM is dropped, and the mailbox says so at its next connection error."""
    import stat
    from pathlib import Path

    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    Mailbox = apps.get_model("scanner", "Mailbox")
    for mailbox in Mailbox.objects.exclude(ca_file=""):
        pem = ""
        try:
            path = Path(mailbox.ca_file)
            info = path.stat()
            if stat.S_ISREG(info.st_mode) and info.st_size <= MAX_PEM_BYTES:
                certificates = x509.load_pem_x509_certificates(path.read_bytes())
                pem = "".join(cert.public_bytes(Encoding.PEM).decode("ascii") for cert in certificates)
        except (OSError, ValueError):
            pem = ""
        Mailbox.objects.filter(pk=mailbox.pk).update(ca_certificate=pem)


class Migration(migrations.Migration):
    dependencies = [
        ("scanner", "0003_finding_unreadable"),
    ]

    operations = [
        migrations.AddField(
            model_name="mailbox",
            name="ca_certificate",
            field=models.TextField(
                blank=True,
                help_text="A CA certificate (PEM) to trust for this server, for a self-signed or private certificate.",
            ),
        ),
        migrations.RunPython(copy_certificates, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name="mailbox",
            name="ca_file",
        ),
    ]
