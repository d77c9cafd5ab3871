"""Genuine, authenticated Microsoft security mail in languages and layouts the lexicon does not know:
the code is found by its place in the template, the account hint by its shape, the language from
what the mail declares or from its script.

ALL WORDING BELOW IS INVENTED for these tests (our own rough translations of the template's
structure, not Microsoft's wording): it proves the reader does not depend on wording, nothing more.
"""

from __future__ import annotations

import base64

import pytest

from detect import detect
from tests.test_receivers import FAIL, MS, PASS, SENDER_SIDE, gmail

HINT = "al**e@example.net"
CODE = "048213"

# language: (charset, invented sentence naming the account, invented label)
LANGUAGES = {
    "he": ("iso-8859-8", "השתמש בקוד האבטחה הבא עבור חשבון Microsoft", "קוד אבטחה"),
    "ar": ("windows-1256", "يرجى استخدام رمز الأمان التالي لحساب Microsoft", "رمز الأمان"),
    "cs": ("iso-8859-2", "Použijte následující bezpečnostní kód pro účet Microsoft", "Bezpečnostní kód"),
    "da": ("iso-8859-1", "Brug følgende sikkerhedskode til Microsoft-kontoen", "Sikkerhedskode"),
    "fi": ("iso-8859-15", "Käytä seuraavaa suojauskoodia Microsoft-tilille", "Suojauskoodi"),
    "hu": ("iso-8859-2", "Használja a következő biztonsági kódot a Microsoft-fiókhoz", "Biztonsági kód"),
    "el": (
        "iso-8859-7",
        "Χρησιμοποιήστε τον παρακάτω κωδικό ασφαλείας για τον λογαριασμό Microsoft",
        "Κωδικός ασφαλείας",
    ),
    "th": ("tis-620", "โปรดใช้รหัสความปลอดภัยต่อไปนี้สำหรับบัญชี Microsoft", "รหัสความปลอดภัย"),
    "hi": ("utf-8", "कृपया Microsoft खाते के लिए निम्न सुरक्षा कोड का उपयोग करें", "सुरक्षा कोड"),
    "ro": ("iso-8859-16", "Utilizați următorul cod de securitate pentru contul Microsoft", "Cod de securitate"),
    "bg": ("windows-1251", "Използвайте следния код за защита за акаунта в Microsoft", "Код за защита"),
    "hr": ("windows-1250", "Upotrijebite sljedeći sigurnosni kod za Microsoftov račun", "Sigurnosni kod"),
    "sk": ("windows-1250", "Použite nasledujúci bezpečnostný kód pre konto Microsoft", "Bezpečnostný kód"),
    "sl": ("iso-8859-2", "Uporabite to varnostno kodo za Microsoftov račun", "Varnostna koda"),
    "lt": ("iso-8859-13", "Naudokite šį saugos kodą Microsoft paskyrai", "Saugos kodas"),
    "lv": ("iso-8859-13", "Izmantojiet šo drošības kodu Microsoft kontam", "Drošības kods"),
    "et": ("iso-8859-15", "Kasutage Microsofti konto jaoks järgmist turvakoodi", "Turvakood"),
    "nb": ("iso-8859-1", "Bruk følgende sikkerhetskode for Microsoft-kontoen", "Sikkerhetskode"),
    "id": ("utf-8", "Gunakan kode keamanan berikut untuk akun Microsoft", "Kode keamanan"),
    "ms": ("utf-8", "Sila gunakan kod keselamatan berikut untuk akaun Microsoft", "Kod keselamatan"),
    "vi": ("utf-8", "Vui lòng sử dụng mã bảo mật sau cho tài khoản Microsoft", "Mã bảo mật"),
    "ca": ("iso-8859-1", "Utilitzeu el codi de seguretat següent per al compte Microsoft", "Codi de seguretat"),
    "sr": ("utf-8", "Користите следећи безбедносни кôд за Microsoft налог", "Безбедносни кôд"),
    "ka": ("utf-8", "გამოიყენეთ შემდეგი უსაფრთხოების კოდი Microsoft ანგარიშისთვის", "უსაფრთხოების კოდი"),
    "is": ("iso-8859-1", "Notaðu eftirfarandi öryggiskóða fyrir Microsoft-reikninginn", "Öryggiskóði"),
}


def _mail(
    body: str,
    charset: str = "utf-8",
    *,
    html: str | None = None,
    language: str | None = None,
    verdict: str = PASS,
    encoding: str = "8bit",
) -> bytes:
    head = (
        f"From: Microsoft account team <account-security-noreply@{MS}>\r\nTo: alice@example.net\r\n"
        "Subject: =?utf-8?b?" + base64.b64encode("Microsoft — 🔒".encode()).decode() + "?=\r\n"
        "Date: Tue, 01 Dec 2026 10:00:00 +0000\r\nMessage-ID: <structure-1@example.invalid>\r\nMIME-Version: 1.0\r\n"
        + (f"Content-Language: {language}\r\n" if language else "")
    ).encode()

    def part(content_type: str, text: str) -> bytes:
        data = text.encode(charset)
        if encoding == "base64":
            data = base64.encodebytes(data)
        return (
            f"Content-Type: {content_type}; charset={charset}\r\nContent-Transfer-Encoding: {encoding}\r\n\r\n"
        ).encode() + data

    if html is None:
        payload = part("text/plain", body)
    elif body == "":
        payload = part("text/html", html)
    else:
        payload = (
            b'Content-Type: multipart/alternative; boundary="alt"\r\n\r\n--alt\r\n'
            + part("text/plain", body)
            + b"\r\n--alt\r\n"
            + part("text/html", html)
            + b"\r\n--alt--\r\n"
        )
    return (gmail(verdict) + SENDER_SIDE).encode() + head + payload


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_the_same_genuine_mail_in_many_languages_is_found_by_structure(lang):
    charset, sentence, label = LANGUAGES[lang]
    body = f"{sentence} {HINT}.\r\n\r\n{label}: {CODE}\r\n\r\nMicrosoft\r\n"
    finding = detect(_mail(body, charset, encoding="base64" if lang in ("he", "ar", "th") else "8bit"))
    assert (finding.category, finding.sender_auth, finding.codes) == ("ms_code", "pass", [CODE]), finding.reasons
    assert finding.account_hint == HINT
    if lang in ("he", "ar", "el", "th", "hi", "ka"):
        assert finding.language == lang  # told by its script


def test_the_declared_language_is_used():
    charset, sentence, label = LANGUAGES["da"]
    html = f'<html lang="da-DK"><body><p>{sentence} {HINT}.</p><p>{label}: <b>{CODE}</b></p></body></html>'
    finding = detect(_mail("", charset, html=html))
    assert (finding.codes, finding.language) == ([CODE], "da")
    finding = detect(_mail(f"{sentence} {HINT}.\r\n{label}: {CODE}\r\n", charset, language="da"))
    assert finding.language == "da"


@pytest.mark.parametrize(
    "layout",
    [
        f"Here is the code you asked for\r\n{CODE}\r\n",  # on the next line, no colon
        f"Code: {CODE}\r\n",  # after a bare "Code:"
        f"Your code\r\n\r\n{CODE[:3]} {CODE[3:]}\r\n",  # spaced in two groups
    ],
)
def test_english_layouts_the_lexicon_does_not_know(layout):
    finding = detect(_mail(f"Hello,\r\nfor the Microsoft account {HINT}:\r\n{layout}Thanks\r\n"))
    assert (finding.category, finding.codes) == ("ms_code", [CODE])


def test_a_code_in_its_own_table_cell_in_html_only_mail():
    html = (
        f"<html><body><table><tr><td>Sicherheitsnummer (invented)</td><td>{CODE}</td></tr>"
        f"<tr><td>Konto</td><td>{HINT}</td></tr></table></body></html>"
    )
    finding = detect(_mail("", html=html))
    assert (finding.category, finding.codes, finding.account_hint) == ("ms_code", [CODE], HINT)


def test_an_authenticated_security_mail_without_a_code_is_an_alert_never_dropped():
    finding = detect(_mail(f"Something changed on the Microsoft account {HINT} (invented wording).\r\n"))
    assert (finding.category, finding.template, finding.account_hint) == ("ms_alert", "unknown", HINT)


def test_structure_alone_never_makes_a_code_of_unauthenticated_mail():
    charset, sentence, label = LANGUAGES["cs"]
    body = f"{sentence} {HINT}.\r\n{label}: {CODE}\r\n"
    finding = detect(_mail(body, charset, verdict=FAIL))
    assert finding.category == "phishing"
    no_auth = _mail(body, charset).split(b"From: Microsoft", 1)
    unauthenticated = b"From: Microsoft" + no_auth[1]
    assert detect(unauthenticated).category != "ms_code"


def test_numbers_that_are_not_alone_are_not_codes():
    body = (
        f"Microsoft account {HINT}\r\nIP address: 203.0.113.4\r\nDate: 12/1/2026 10:00\r\n"
        "Microsoft Corporation, One Microsoft Way, Redmond, WA 98052\r\n"
    )
    finding = detect(_mail(body))
    assert finding.codes == []


def test_every_label_language_says_where_its_wording_comes_from():
    from detect.lexicon import CODE_LABELS, LABEL_PROVENANCE

    languages = {lang for by_language in CODE_LABELS.values() for lang in by_language}
    assert languages == set(LABEL_PROVENANCE)
    assert set(LABEL_PROVENANCE.values()) <= {"REAL", "DERIVED", "INFERRED"}
