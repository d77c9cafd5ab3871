"""Other providers' one-time codes in other languages and charsets: found by the code's name in a
short keyword set per language plus its place (after a colon, a few words on, alone on the next
line, in digit groups). ALL WORDING AND SENDERS BELOW ARE INVENTED for these tests."""

from __future__ import annotations

import pytest

from detect import detect


def mail(sender: str, subject: str, body: str, charset: str = "utf-8") -> bytes:
    head = (
        f"From: {sender}\r\nTo: alice@example.net\r\nSubject: {subject}\r\nDate: Tue, 01 Dec 2026 10:00:00 +0000\r\n"
        f"Message-ID: <other-1@example.invalid>\r\nMIME-Version: 1.0\r\n"
        f"Content-Type: text/plain; charset={charset}\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
    )
    return head.encode() + body.encode(charset)


CASES = {
    "ja_iso_2022_jp": (
        "Shop <no-reply@shop.example.jp>",
        "ログイン確認",
        "お客様の認証コードは 482913 です。\r\n",
        "iso-2022-jp",
    ),
    "fr": (
        "Boutique <no-reply@boutique.example.fr>",
        "Connexion",
        "Votre code de vérification est 482913.\r\n",
        "utf-8",
    ),
    "cs_windows_1250": (
        "Obchod <info@obchod.example.cz>",
        "Přihlášení",
        "Váš ověřovací kód je 482913.\r\n",
        "windows-1250",
    ),
    "pt_br": ("Loja <nao-responda@loja.example.com.br>", "Acesso", "Seu código de acesso:\r\n482913\r\n", "utf-8"),
    "es_spaced": (
        "Tienda <no-reply@tienda.example.es>",
        "Inicio de sesión",
        "Tu código de verificación es 482 913\r\n",
        "utf-8",
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_other_providers_codes_in_other_languages(name):
    sender, subject, body, charset = CASES[name]
    finding = detect(mail(sender, subject, body, charset))
    assert (finding.category, finding.codes) == ("other_code", ["482913"]), finding.reasons


def test_numbers_near_no_code_name_are_not_codes():
    finding = detect(
        mail("Shop <no-reply@shop.example>", "Ihre Bestellung", "Bestellnummer 48291377, Ihr Code folgt.\r\n")
    )
    assert finding.codes == []
    finding = detect(mail("Shop <no-reply@shop.example>", "Order", "Your order 482913 has shipped.\r\n"))
    assert finding.category == "none"


def test_every_code_name_holds_one_of_the_quick_stems():
    """other.read_codes skips its long alternation when no stem is in the text: every name it knows
    must therefore contain a stem. Each top-level alternative is checked with its optional parts
    and regular-expression syntax written out as text."""
    import re

    from detect.other import _OTP_WORDS, CODE_NAME_STEMS

    alternatives, depth, current = [], 0, ""
    for char in _OTP_WORDS:  # split at the top level only: "(?:device|email)" stays whole
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "|" and depth == 0:
            alternatives.append(current)
            current = ""
        else:
            current += char
    alternatives.append(current)
    for alternative in alternatives:
        for text in (alternative, re.sub(r"\(\?:[^)]*\)\?", "", alternative)):
            plain = re.sub(r"\\b|\?|\(\?:|\)|\[[^\]]*\]", "", text).replace(" ?", " ").lower()
            assert any(stem in plain for stem in CODE_NAME_STEMS), alternative
