"""A CA certificate a member trusts for their mail server, given as PEM text (pasted or uploaded),
never as a path on this machine: a path would let a member probe which files exist here."""

from __future__ import annotations

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

MAX_PEM_BYTES = 64 * 1024
MAX_CERTIFICATES = 10


class CertificateError(ValueError):
    """The text is not one or more PEM certificates; the message says what to give instead."""


def ca_bundle(text: str) -> str:
    """The certificates in `text`, re-encoded as clean PEM (nothing else of the text is kept)."""
    data = (text or "").strip().encode("utf-8", "replace")
    if not data:
        return ""
    if len(data) > MAX_PEM_BYTES:
        raise CertificateError(
            _("That is more than %(size)d KiB; give only the CA certificate.") % {"size": MAX_PEM_BYTES // 1024}
        )
    if b"-----BEGIN CERTIFICATE-----" not in data:
        raise CertificateError(
            _(
                "That is not a PEM certificate: it should start with -----BEGIN CERTIFICATE-----. "
                "A private key is never needed here."
            )
        )
    try:
        certificates = x509.load_pem_x509_certificates(data)
    except ValueError:
        raise CertificateError(
            _("The certificate could not be read; copy the whole PEM text, BEGIN and END lines included.")
        ) from None
    if len(certificates) > MAX_CERTIFICATES:
        raise CertificateError(
            ngettext("Give at most %(count)d certificate.", "Give at most %(count)d certificates.", MAX_CERTIFICATES)
            % {"count": MAX_CERTIFICATES}
        )
    return "".join(cert.public_bytes(Encoding.PEM).decode("ascii") for cert in certificates)


def describe(bundle: str) -> list[str]:
    """Each certificate's subject, for the form to show what is trusted."""
    if not bundle:
        return []
    return [cert.subject.rfc4514_string()[:200] for cert in x509.load_pem_x509_certificates(bundle.encode())]
