"""Writes the extra corpus cases (languages the shared corpus lacks, and more hard negatives).

Wording for it, nl, pl, sv, tr, ru and ko is INFERRED from Microsoft's usual localisation, like
the labels in detect/lexicon.py; structure follows the shared corpus (REAL MSA headers).
Run: python tests/corpus/extra/make_extra.py  (rewrites the .eml files and labels.csv here).
"""

import base64
import csv
from email.header import Header
from pathlib import Path

HERE = Path(__file__).parent
GENUINE_AUTH = (
    "mx.google.com;\n       dkim=pass header.i=@accountprotection.microsoft.com header.s=selector1 header.b=Ab12Cd34;\n"
    "       spf=pass (google.com: domain of account-security-noreply@accountprotection.microsoft.com designates "
    "40.107.243.79 as permitted sender) smtp.mailfrom=account-security-noreply@accountprotection.microsoft.com;\n"
    "       dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=accountprotection.microsoft.com"
)
MS_FROM = "account-security-noreply@accountprotection.microsoft.com"


def mail(name, *, display, sender, subject, date, to, text, auth=GENUINE_AUTH, extra="", html=None):
    subject_header = Header(subject, "utf-8").encode() if not subject.isascii() else subject
    display_header = Header(display, "utf-8").encode() if not display.isascii() else display
    boundary = "=-Xq1Zr8Tn0b2Lm4Pk6Jh9Aw=="
    html = (
        html
        or '<html><body><table dir="ltr">'
        + "".join(f"<tr><td>{line}</td></tr>" for line in text.split("\n") if line)
        + "</table></body></html>"
    )
    body = (
        f"--{boundary}\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n"
        + base64.encodebytes(text.encode()).decode()
        + f"\n--{boundary}\nContent-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: base64\n\n"
        + base64.encodebytes(html.encode()).decode()
        + f"\n--{boundary}--\n"
    )
    head = (
        ("Authentication-Results: " + auth + "\n" if auth else "")
        + f"From: {display_header} <{sender}>\nDate: {date}\nSubject: {subject_header}\nTo: {to}\n{extra}"
        f"Message-ID: <{name.upper().replace('_', '')[:12]}U4.X{len(name)}K@BY1PEPF00001EEA>\n"
        f'MIME-Version: 1.0\nContent-Type: multipart/alternative; boundary="{boundary}"\n\n'
    )
    (HERE / f"{name}.eml").write_bytes((head + body).replace("\n", "\r\n").encode())


CASES = [
    # name, kwargs, label row (category, is_microsoft_otp, is_genuine_sender, code, hint, template, language, notes)
    (
        "it_single_use_giulia",
        dict(
            display="Team dell'account Microsoft",
            sender=MS_FROM,
            subject="Codice monouso",
            date="Tue, 03 Nov 2026 18:02:11 -0800",
            to="giulia.rossi@example.com",
            text="Ciao giulia.rossi@example.com,\n\nAbbiamo ricevuto la tua richiesta di un codice monouso da usare con "
            "l'account Microsoft.\n\nIl codice monouso è: 093417\n\nImmetti questo codice solo in un sito Web o in "
            "un'app ufficiale. Non condividerlo con nessuno.\n\nGrazie,\nIl team dell'account Microsoft",
        ),
        (
            "ms_otp",
            "true",
            "true",
            "093417",
            "giulia.rossi@example.com",
            "msa_single_use_v2",
            "it",
            "INFERRED it wording; leading zero",
        ),
    ),
    (
        "nl_security_code_daan",
        dict(
            display="Microsoft-accountteam",
            sender=MS_FROM,
            subject="Beveiligingscode voor Microsoft-account",
            date="Wed, 04 Nov 2026 19:15:40 -0800",
            to="daan.jansen@example.org",
            text="Gebruik de volgende beveiligingscode voor het Microsoft-account da**n@example.org.\n\n"
            "Beveiligingscode: 520731\n\nAls u deze code niet hebt aangevraagd, kunt u dit bericht negeren.\n\n"
            "Bedankt,\nHet Microsoft-accountteam",
        ),
        ("ms_otp", "true", "true", "520731", "da**n@example.org", "msa_security_code", "nl", "INFERRED nl wording"),
    ),
    (
        "pl_single_use_piotr",
        dict(
            display="Zespół kont Microsoft",
            sender=MS_FROM,
            subject="Kod jednorazowy",
            date="Thu, 05 Nov 2026 17:40:02 -0800",
            to="piotr.nowak@example.net",
            text="Witaj, piotr.nowak@example.net!\n\nOtrzymaliśmy Twoje żądanie kodu jednorazowego do użycia z kontem "
            "Microsoft.\n\nTwój kod jednorazowy to: 661204\n\nWprowadzaj ten kod tylko w oficjalnej witrynie lub "
            "aplikacji.\n\nDziękujemy,\nZespół kont Microsoft",
        ),
        (
            "ms_otp",
            "true",
            "true",
            "661204",
            "piotr.nowak@example.net",
            "msa_single_use_v2",
            "pl",
            "INFERRED pl wording",
        ),
    ),
    (
        "sv_security_code_erik",
        dict(
            display="Microsoft-kontoteamet",
            sender=MS_FROM,
            subject="Säkerhetskod för Microsoft-konto",
            date="Fri, 06 Nov 2026 16:05:00 -0800",
            to="erik.lund@example.com",
            text="Använd följande säkerhetskod för Microsoft-kontot er**k@example.com.\n\nSäkerhetskod: 0047\n\n"
            "Om du inte har begärt den här koden kan du ignorera det här meddelandet.\n\nTack!\nMicrosoft-kontoteamet",
        ),
        (
            "ms_otp",
            "true",
            "true",
            "0047",
            "er**k@example.com",
            "msa_security_code",
            "sv",
            "INFERRED sv wording; 4-digit code of zeros and digits",
        ),
    ),
    (
        "tr_single_use_emre",
        dict(
            display="Microsoft hesap ekibi",
            sender=MS_FROM,
            subject="Tek kullanımlık kodunuz",
            date="Sat, 07 Nov 2026 15:30:45 -0800",
            to="emre.yilmaz@example.org",
            text="Merhaba emre.yilmaz@example.org,\n\nMicrosoft hesabınızla kullanmak üzere tek kullanımlık kod "
            "isteğinizi aldık.\n\nTek kullanımlık kodunuz: 318852\n\nBu kodu yalnızca resmi bir web sitesinde "
            "veya uygulamada girin.\n\nTeşekkürler,\nMicrosoft hesap ekibi",
        ),
        (
            "ms_otp",
            "true",
            "true",
            "318852",
            "emre.yilmaz@example.org",
            "msa_single_use_v2",
            "tr",
            "INFERRED tr wording",
        ),
    ),
    (
        "ru_security_code_ivan",
        dict(
            display="Служба учетных записей Майкрософт",
            sender=MS_FROM,
            subject="Код безопасности для учетной записи Майкрософт",
            date="Sun, 08 Nov 2026 14:12:09 -0800",
            to="ivan.petrov@example.com",
            text="Используйте следующий код безопасности для учетной записи Майкрософт iv**v@example.com.\n\n"
            "Код безопасности: 12345678\n\nЕсли вы не запрашивали этот код, просто проигнорируйте это письмо.\n\n"
            "Спасибо!\nСлужба учетных записей Майкрософт",
        ),
        (
            "ms_otp",
            "true",
            "true",
            "12345678",
            "iv**v@example.com",
            "msa_security_code",
            "ru",
            "INFERRED ru wording; 8 digits",
        ),
    ),
    (
        "ko_single_use_minji",
        dict(
            display="Microsoft 계정 팀",
            sender=MS_FROM,
            subject="일회용 코드",
            date="Mon, 09 Nov 2026 10:01:33 -0800",
            to="minji.kim@example.com",
            text="안녕하세요 minji.kim@example.com님,\n\nMicrosoft 계정에 사용할 일회용 코드 요청을 받았습니다.\n\n"
            "일회용 코드: 745120\n\n공식 웹 사이트나 앱에서만 이 코드를 입력하세요.\n\n감사합니다.\nMicrosoft 계정 팀",
        ),
        ("ms_otp", "true", "true", "745120", "minji.kim@example.com", "msa_single_use_v2", "ko", "INFERRED ko wording"),
    ),
    (
        "en_single_use_no_auth_results",
        dict(
            display="Microsoft account team",
            sender=MS_FROM,
            subject="Your single-use code",
            auth=None,
            date="Tue, 10 Nov 2026 01:02:03 -0800",
            to="sam.taylor@example.net",
            text="Hi sam.taylor@example.net,\n\nWe received your request for a single-use code to use with your "
            "Microsoft account.\n\nYour single-use code is: 407733\n\nOnly enter this code on an official "
            "website or app.\n\nThanks,\nThe Microsoft account team",
        ),
        (
            "ms_otp",
            "true",
            "true",
            "407733",
            "sam.taylor@example.net",
            "msa_single_use_v2",
            "en",
            "export without Authentication-Results (old archive): genuine wording, sender_auth unknown",
        ),
    ),
    (
        "phish_cyrillic_display_name",
        dict(
            display="Місrosoft account team",
            sender="security@acct-notice.example",
            subject="Your single-use code",
            auth="mx.example.net; dkim=pass header.d=acct-notice.example; spf=pass smtp.mailfrom=acct-notice.example; "
            "dmarc=pass header.from=acct-notice.example",
            date="Wed, 11 Nov 2026 03:00:00 +0000",
            to="anna.weber@example.com",
            text="Hi anna.weber@example.com,\n\nWe received your request for a single-use code to use with your "
            "Microsoft account.\n\nYour single-use code is: 550912\n\nThanks,\nThe Microsoft account team",
        ),
        (
            "phishing",
            "false",
            "false",
            "550912",
            "anna.weber@example.com",
            "phish_single_use_homoglyph_display",
            "en",
            "display name spells Microsoft with Cyrillic М, і, с; authentication passes for the lookalike sender",
        ),
    ),
    (
        "bank_security_code_not_microsoft",
        dict(
            display="Example Savings",
            sender="alerts@savings.example",
            subject="Your security code",
            auth="mx.example.net; dkim=pass header.d=savings.example; spf=pass smtp.mailfrom=savings.example; "
            "dmarc=pass header.from=savings.example",
            date="Thu, 12 Nov 2026 09:00:00 +0100",
            to="peter.weber@example.com",
            text="Security code: 482211\n\nUse it to approve your transfer. It expires in 5 minutes.\n\nExample Savings",
        ),
        (
            "other_otp",
            "false",
            "true",
            "482211",
            "",
            "bank_otp",
            "en",
            "hard negative for Microsoft: the MS label 'Security code:' from a bank must stay other_code, not phishing",
        ),
    ),
    (
        "colleague_mentions_microsoft_teams_code",
        dict(
            display="Avery Chen",
            sender="avery.chen@example.net",
            subject="Room booking",
            auth="mx.example.net; dkim=pass header.d=example.net; spf=pass smtp.mailfrom=example.net; "
            "dmarc=pass header.from=example.net",
            date="Fri, 13 Nov 2026 11:00:00 +0100",
            to="marc.dubois@example.org",
            text="Hi Marc,\n\nThe Microsoft Teams room is booked for Monday. Your code is: 4411 for the door.\n\nAvery",
        ),
        (
            "benign",
            "false",
            "true",
            "",
            "",
            "personal",
            "en",
            "hard negative: mentions Microsoft Teams and 'Your code is:' but is a colleague's mail, not Microsoft account wording",
        ),
    ),
]


def main():
    rows = []
    for name, kwargs, label in CASES:
        mail(name, **kwargs)
        category, otp, genuine, code, hint, template, lang, notes = label
        rows.append([f"extra/{name}.eml", category, otp, genuine, code, hint, template, lang, notes])
    with (HERE / "labels.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "file",
                "category",
                "is_microsoft_otp",
                "is_genuine_sender",
                "code",
                "account_hint",
                "template",
                "language",
                "notes",
            ]
        )
        writer.writerows(rows)


if __name__ == "__main__":
    main()
