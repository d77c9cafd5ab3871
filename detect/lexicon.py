"""What Microsoft's account mails say, per language, as regular-expression fragments.

Provenance follows ../shared/docs/microsoft-mail-facts.md: en is REAL/DERIVED; the de, fr, es,
pt, zh, ja and uk labels are DERIVED from copies; it, nl, pl, sv, tr, ru and ko labels are
INFERRED from Microsoft's usual localisation and covered by our own corpus cases in
tests/corpus/extra/; cs is INFERRED too (from the second corpus's Czech mail, itself inferred).
Fragments are matched case-insensitively against NFKC-normalised text with single spaces, so "："
is ":" and a no-break space is a space.
"""

from __future__ import annotations

# Where each language's code labels come from (../shared/docs/microsoft-mail-facts.md): REAL (seen
# in genuine mail), DERIVED (from copies, parsers and fixtures of genuine mail) or INFERRED (our
# guess at Microsoft's localisation, unconfirmed). Inferred wording only names templates and
# judges lookalikes; authenticated mail is read by its structure first (microsoft.read_by_structure).
LABEL_PROVENANCE: dict[str, str] = {
    "en": "REAL",
    "de": "DERIVED",
    "fr": "DERIVED",
    "es": "DERIVED",
    "pt": "DERIVED",
    "zh": "DERIVED",
    "ja": "DERIVED",
    "uk": "DERIVED",
    "it": "INFERRED",
    "nl": "INFERRED",
    "pl": "INFERRED",
    "sv": "INFERRED",
    "tr": "INFERRED",
    "ru": "INFERRED",
    "ko": "INFERRED",
    "cs": "INFERRED",
}

# Label right before a code on its line, by template kind. Keys are primary language tags.
CODE_LABELS: dict[str, dict[str, list[str]]] = {
    "single_use": {
        "en": [r"your single-use code is", r"single-use code"],
        "de": [r"ihr einmalcode lautet", r"einmalcode"],
        "fr": [r"votre code à usage unique est", r"code à usage unique"],
        "es": [r"(?:tu|su) código de un solo uso es", r"código de un solo uso"],
        "it": [r"il (?:tuo )?codice monouso è", r"codice monouso"],
        "nl": [r"(?:je|uw) (?:eenmalige code|code voor eenmalig gebruik) is", r"eenmalige code"],
        "pt": [r"(?:o )?seu código de (?:uso|utilização) única? é", r"código de uso único"],
        "pl": [r"twój kod jednorazowy to", r"kod jednorazowy"],
        "sv": [r"din engångskod är", r"engångskod"],
        "tr": [r"tek kullanımlık kodunuz", r"tek kullanımlık kod"],
        "ru": [r"ваш одноразовый код", r"одноразовый код"],
        "uk": [r"ваш одноразовий код", r"одноразовий код"],
        "zh": [r"(?:你|您)的一次性代码为", r"一次性代码"],
        "ja": [r"ワンタイム ?コード(?:は)?", r"使い捨て ?コード"],
        "ko": [r"일회용 ?코드(?:는)?"],
        "cs": [r"váš jednorázový kód je", r"jednorázový kód"],
    },
    "security_code": {
        "en": [r"security code"],
        "de": [r"sicherheitscode"],
        "fr": [r"code de sécurité"],
        "es": [r"código de seguridad"],
        "it": [r"codice di sicurezza"],
        "nl": [r"beveiligingscode"],
        "pt": [r"código de segurança"],
        "pl": [r"kod zabezpieczający"],
        "sv": [r"säkerhetskod"],
        "tr": [r"güvenlik kodu"],
        "ru": [r"код безопасности"],
        "uk": [r"код безпеки"],
        "zh": [r"安全代码"],
        "ja": [r"セキュリティ ?コード"],
        "ko": [r"보안 ?코드"],
        "cs": [r"bezpečnostní kód"],
    },
    "your_code": {  # password-reset "Here is your code:" and Entra "Your code is:"
        "en": [r"here is your code", r"your code is"],
        "de": [r"hier ist ihr code", r"ihr code lautet"],
        "fr": [r"voici votre code", r"votre code est"],
        "es": [r"(?:este es|aquí está) (?:tu|su) código", r"(?:tu|su) código es"],
        "it": [r"ecco il (?:tuo )?codice", r"il (?:tuo )?codice è"],
        "nl": [r"hier is (?:je|uw) code", r"(?:je|uw) code is"],
        "pt": [r"aqui está (?:o )?seu código", r"(?:o )?seu código é"],
        "pl": [r"oto twój kod", r"twój kod to"],
        "sv": [r"här är din kod", r"din kod är"],
        "tr": [r"kodunuz"],
        "ru": [r"вот ваш код", r"ваш код"],
        "uk": [r"ось ваш код", r"ваш код"],
        "zh": [r"(?:你|您)的代码(?:为|是)?", r"这是(?:你|您)的代码"],
        "ja": [r"コードは次のとおりです", r"お客様のコード"],
        "ko": [r"코드는 다음과 같습니다", r"코드"],
        "cs": [r"zde je váš kód", r"váš kód je"],
    },
}

# "Microsoft account" as the mails name it: wording needs this (or a Microsoft-looking sender)
# before it counts as Microsoft's, so a colleague's "Microsoft Teams ... your code is" does not.
MICROSOFT_ACCOUNT = [
    r"micro?s[o0]ft[- ]?(?:account|konto|konta|hesab\w*|帐户|账户|アカウント|계정)",
    r"compte microsoft",
    r"cuenta (?:de )?microsoft",
    r"conta (?:da )?microsoft",
    r"account microsoft",
    r"microsoft-account",
    r"konto microsoft",
    r"учетн\w+ запис\w+ (?:майкрософт|microsoft)",
    r"обліков\w+ запис\w+ microsoft",
    r"úč(?:et|t[a-zůě]{1,2}) microsoft",  # cs: účet, účtu, účtem, účtů Microsoft
]

# Phrases that mark a code mail's template beyond its label (searched in subject + body).
PASSWORD_RESET = [
    r"reset the password",
    r"password reset",
    r"kennwort zurückzusetzen",
    r"kennwortzurücksetzung",
    r"réinitialiser le mot de passe",
    r"restablecer la contraseña",
    r"redefinir a senha",
    r"reimpostare la password",
    r"wachtwoord (?:opnieuw )?in te stellen",
    r"zresetować hasło",
    r"återställa lösenordet",
    r"parolayı sıfırla",
    r"сброса пароля",
    r"скидання пароля",
    r"重置密码",
    r"密码重置",
    r"パスワードのリセット",
    r"암호 재설정",
]
VERIFY_EMAIL = [
    r"verify your email address",
    r"e-mail-adresse zu bestätigen",
    r"vérifier votre adresse",
    r"verificar tu dirección de correo",
    r"verificar seu endereço de email",
    r"verificare l'indirizzo",
    r"uw e-mailadres te verifiëren",
    r"zweryfikować adres",
    r"verifiera din e-postadress",
    r"e-posta adresinizi doğrula",
    r"подтвердить адрес электронной почты",
    r"підтвердити адресу електронної пошти",
    r"验证你的电子邮件地址",
    r"メール アドレスを確認",
    r"전자 메일 주소를 확인",
]
PERSONAL = [r"personal microsoft account", r"persönliche[sn]? microsoft-konto", r"compte microsoft personnel"]

# Security notices without a code: template -> language -> phrases.
ALERTS: dict[str, dict[str, list[str]]] = {
    "msa_unusual_signin": {
        "en": [r"unusual sign-in activity", r"something unusual about a recent sign-in"],
        "de": [r"ungewöhnliche anmeldeaktivität", r"bei einer kürzlich erfolgten anmeldung"],
        "fr": [r"activité de connexion inhabituelle"],
        "es": [r"actividad de inicio de sesión inusual"],
        "it": [r"attività di accesso insolita"],
        "nl": [r"ongebruikelijke aanmeldingsactiviteit"],
        "pt": [r"atividade de (?:entrada|início de sessão) (?:incomum|invulgar)"],
        "pl": [r"nietypowe działanie związane z logowaniem", r"nietypowa aktywność logowania"],
        "sv": [r"ovanlig inloggningsaktivitet"],
        "tr": [r"olağan dışı oturum açma etkinliği"],
        "ru": [r"необычн\w+ (?:действи\w+ при входе|активност\w+ входа)"],
        "uk": [r"незвичайн\w+ активн\w+ (?:входу|під час входу)"],
        "zh": [r"异常登录活动"],
        "ja": [r"普段と異なるサインイン"],
        "ko": [r"비정상적인 로그인 활동"],
    },
    "msa_security_info_added": {
        "en": [r"security info was (?:recently )?added"],
        "de": [r"sicherheitsinformationen wurden (?:kürzlich )?hinzugefügt"],
        "fr": [r"informations de sécurité (?:ont été|a été) ajoutée"],
        "es": [
            r"se (?:agregó|añadió) (?:la )?información de seguridad",
            r"información de seguridad (?:agregada|añadida)",
        ],
        "pt": [r"informações de segurança (?:foram )?adicionadas"],
        "it": [r"informazioni di sicurezza (?:sono state )?aggiunte"],
        "nl": [r"beveiligingsgegevens (?:zijn )?toegevoegd"],
    },
    "msa_security_info_verification": {
        "en": [r"security info verification", r"you verified the security info"],
        "es": [r"verificación de la información de seguridad", r"comprobaste la información de seguridad"],
        "de": [r"überprüfung der sicherheitsinformationen"],
        "fr": [r"vérification des informations de sécurité"],
        "pt": [r"verificação das informações de segurança"],
    },
    "msa_new_app_connected": {
        "en": [r"new app\(s\) connected", r"new app\(s\) have access", r"connected to the microsoft account"],
        "tr": [r"yeni uygulamalar bağlandı", r"microsoft hesabına bağlandı"],
        "zh": [r"连接到 ?microsoft ?帐户的新应用"],
        "de": [r"neue apps? (?:mit|wurden)"],
        "es": [r"nuevas? aplicaci\w+ conectad"],
        "fr": [r"nouvelles? applications? connectée"],
    },
    "msa_password_changed": {
        "en": [r"microsoft account password change", r"password for the microsoft account .{1,80} was changed"],
        "de": [r"kennwortänderung für das microsoft-konto", r"kennwort .{1,80} wurde geändert"],
        "es": [r"cambio de contraseña de la cuenta microsoft"],
        "fr": [r"modification du mot de passe du compte microsoft"],
        "zh": [r"microsoft ?帐户密码更改"],
    },
}

# Sign-in detail labels (unusual sign-in mails).
SIGNIN_FIELDS: dict[str, list[str]] = {
    "country": [
        r"country/region",
        r"land/region",
        r"pays/région",
        r"país/región",
        r"país/região",
        r"paese/area geografica",
        r"land/regio",
        r"kraj/region",
        r"ülke/bölge",
        r"страна/регион",
        r"країна/регіон",
        r"国家/地区",
        r"国/地域",
        r"국가/지역",
    ],
    "ip": [
        r"ip address",
        r"ip-adresse",
        r"adresse ip",
        r"dirección ip",
        r"endereço ip",
        r"indirizzo ip",
        r"ip-adres",
        r"adres ip",
        r"ip-adress",
        r"ip adresi",
        r"ip-адрес",
        r"ip-адреса",
        r"ip ?地址",
        r"ip ?アドレス",
        r"ip ?주소",
    ],
    "at": [r"date", r"datum", r"fecha", r"data", r"tarih", r"дата", r"日期", r"日付", r"날짜"],
    "platform": [
        r"platform",
        r"plattform",
        r"plateforme",
        r"plataforma",
        r"piattaforma",
        r"platforma",
        r"платформа",
        r"平台",
        r"プラットフォーム",
        r"플랫폼",
    ],
    "browser": [
        r"browser",
        r"navigateur",
        r"navegador",
        r"explorador",
        r"przeglądarka",
        r"webbläsare",
        r"tarayıcı",
        r"браузер",
        r"浏览器",
        r"ブラウザー?",
        r"브라우저",
    ],
}

# Phishing wording: asking for the code, urgency.
ASKS_FOR_CODE = [
    r"reply (?:to this (?:e-?mail|message) )?with the code",
    r"send (?:us )?(?:back )?the code",
    r"enter the code (?:at|here|on (?:the following|this) (?:page|link))",
    r"confirm this code",
    r"code you received and your (?:current )?password",
    r"call our .{0,30}support",
    r"antworten sie mit dem code",
    r"responda con el código",
    r"répondez avec le code",
]
URGENCY = [
    r"will be (?:locked|suspended|closed|deleted|disabled)",
    r"within \d+ (?:hours?|minutes?)",
    r"permanent deletion",
    r"account will be",
    r"expires? (?:today|in \d+)",
    r"wird gesperrt",
    r"innerhalb von \d+ stunden",
    r"será bloquead[ao]",
    r"sera (?:bloqué|suspendu)",
]
# Lures in an Entra tenant name sent through Microsoft's genuine sender.
TENANT_LURE = [
    r"\+?\d[\d ()-]{7,}\d",
    r"\b(?:usd|eur|gbp|\$|€|£)\s?\d",
    r"\d+[.,]\d{2}\s?(?:usd|eur|gbp)",
    r"\b(?:call|payment|paid|invoice|refund|order|purchase|charged|confirmed|private message|bitcoin|support)\b",
    r"https?://|www\.",
]

# Words that make a header worth a full read (pre-filter); lower-case substrings.
HEADER_HINTS = (
    # Microsoft's own names (a sender or a display name that claims them).
    "microsoft", "msft", "outlook", "hotmail", "live.com", "xbox", "azure",
    # Microsoft's services whose mail carries names others chose (shares), where lures travel.
    "sharepoint", "onedrive",
    # The names of a code, a password or a security notice, in the languages of the lexicon.
    "code", "cod", "kod", "код", "代码", "码", "コード", "코드", "otp", "passwor", "passwort", "kennwort",
    "contrase", "senha", "parola", "hasło", "пароль", "verif", "bestät", "secur", "sicher", "segur", "sécur",
    "sicur", "güvenlik", "безопас", "безпе", "安全", "セキュリティ", "보안", "einmal", "steam",
    "kód", "vérif", "パスワード",
    # A mail server's quarantine digest, which may carry a held code mail attached.
    "quarant",
)  # fmt: skip
# Left out on purpose: everyday words ("sign", "office", "account", "device", "login") that mark a
# large share of ordinary mail. Mail that matters and names none of the above in its header is
# caught by what the pre-filter reads of its body and structure (tests/test_prefilter_superset.py).
# Subject prefixes of forwards, in the languages mail clients use.
FORWARD_WORDS = (
    "fwd?",
    "wg",
    "rv",
    "tr",
    "enc",
    "i",
    "vs",
    "doorst",
    "pd",
    "fs",
    "ilt",
    "ynt",
    "пересл",
    "转发",
    "轉寄",
    "전달",
)
FORWARD_PREFIX = r"^\s*(?:" + "|".join(FORWARD_WORDS) + r")\s*:"
