"""The holding message in the customer's language, for the languages our team speaks. Pure.

A customer who writes in Spanish is told in Spanish who will reply (promises.py has the
English and the rules: who, where, and when a closed store opens). Waiting times are not
quoted here: the plural rules of each language are not worth a wrong figure, and "as soon
as they can" is a promise we keep. A language without wording here gets the English text.

Right-to-left: each Arabic text begins with an Arabic word, so the paragraph reads right
to left, and the Latin names and times inside it keep their own direction by the Unicode
bidirectional algorithm; no invisible direction marks are added (the dashboard and Slack
show such characters as marks, handoff/texts/bidi.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from handoff.texts.promises import Holding


@dataclass(frozen=True)
class Wording:
    thanks: str  # "{name}" is the customer's first name
    thanks_anonymous: str
    team: str  # "one of our team", when nobody is named
    passed: str  # "{who}"; then one of the two below
    at_store: str  # "{store}"
    reply_soon: str
    closed: str  # "{store}", "{opens}"
    reply_then: str
    today: str
    tomorrow: str
    on_day: str  # "{day}" a weekday name, or a date for a far-off opening
    weekdays: tuple[str, str, str, str, str, str, str]  # Monday first
    clock: str = "{hour}:{minute:02d}"  # the 24-hour clock these languages use


_WORDINGS: dict[str, Wording] = {
    "es": Wording(
        thanks="Gracias, {name}.",
        thanks_anonymous="Gracias.",
        team="un miembro de nuestro equipo",
        passed="He pasado su mensaje a {who}",
        at_store=", de nuestra tienda {store}",
        reply_soon=", que le responderá aquí lo antes posible.",
        closed="Nuestra tienda {store} está cerrada en este momento y abre {opens}.",
        reply_then=", que lo atenderá entonces y le responderá aquí.",
        today="hoy a las {time}",
        tomorrow="mañana a las {time}",
        on_day="el {day} a las {time}",
        weekdays=("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
    ),
    "ar": Wording(
        thanks="شكرًا لك يا {name}.",
        thanks_anonymous="شكرًا لك.",
        team="أحد أعضاء فريقنا",
        passed="لقد أحلتُ رسالتك إلى {who}",
        at_store=" في متجرنا {store}،",
        reply_soon=" وسيصلك الرد هنا في أقرب وقت ممكن.",
        closed="متجرنا {store} مغلق حاليًا ويفتح {opens}.",
        reply_then="، وسيصلك الرد هنا بعد الافتتاح.",
        today="اليوم الساعة {time}",
        tomorrow="غدًا الساعة {time}",
        on_day="يوم {day} الساعة {time}",
        weekdays=("الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد"),
    ),
    "pl": Wording(
        thanks="Dziękujemy, {name}.",
        thanks_anonymous="Dziękujemy.",
        team="ktoś z naszego zespołu",
        passed="Wiadomość została przekazana; odpowie {who}",
        at_store=" z naszego sklepu {store}",
        reply_soon=" – tutaj, najszybciej jak to możliwe.",
        closed="Nasz sklep {store} jest teraz zamknięty i zostanie otwarty {opens}.",
        reply_then=" tutaj po otwarciu sklepu.",
        today="dziś o godz. {time}",
        tomorrow="jutro o godz. {time}",
        on_day="{day} o godz. {time}",
        weekdays=(
            "w poniedziałek",
            "we wtorek",
            "w środę",
            "w czwartek",
            "w piątek",
            "w sobotę",
            "w niedzielę",
        ),
    ),
    "zh": Wording(
        thanks="谢谢您，{name}。",
        thanks_anonymous="谢谢您。",
        team="我们团队的一位同事",
        passed="我已将您的消息转给{who}",
        at_store="（我们的{store}门店）",
        reply_soon="，对方会尽快在这里回复您。",
        closed="我们的{store}门店目前已关门，将于{opens}开门。",
        reply_then="，对方会在开门后在这里回复您。",
        today="今天{time}",
        tomorrow="明天{time}",
        on_day="{day}{time}",
        weekdays=("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日"),
    ),
    "fr": Wording(
        thanks="Merci, {name}.",
        thanks_anonymous="Merci.",
        team="un membre de notre équipe",
        passed="J'ai transmis votre message à {who}",
        at_store=", de notre magasin {store}",
        reply_soon=", qui vous répondra ici dès que possible.",
        closed="Notre magasin {store} est fermé pour le moment et ouvre {opens}.",
        reply_then=", qui le traitera à l'ouverture et vous répondra ici.",
        today="aujourd'hui à {time}",
        tomorrow="demain à {time}",
        on_day="{day} à {time}",
        weekdays=("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
        clock="{hour} h {minute:02d}",
    ),
    "de": Wording(
        thanks="Vielen Dank, {name}.",
        thanks_anonymous="Vielen Dank.",
        team="ein Mitglied unseres Teams",
        passed="Ich habe Ihre Nachricht an {who}",
        at_store=" in unserer Filiale {store}",
        reply_soon=" weitergeleitet; Sie erhalten hier so bald wie möglich eine Antwort.",
        closed="Unsere Filiale {store} ist gerade geschlossen und öffnet {opens}.",
        reply_then=" weitergeleitet; Sie erhalten hier nach der Öffnung eine Antwort.",
        today="heute um {time} Uhr",
        tomorrow="morgen um {time} Uhr",
        on_day="am {day} um {time} Uhr",
        weekdays=(
            "Montag",
            "Dienstag",
            "Mittwoch",
            "Donnerstag",
            "Freitag",
            "Samstag",
            "Sonntag",
        ),
    ),
}


def supported(language: str | None) -> bool:
    return _wording(language) is not None


def holding_in(language: str | None, h: Holding) -> str | None:
    """The holding message in ``language``; None when we have no wording for it."""
    w = _wording(language)
    if w is None:
        return None
    thanks = w.thanks.format(name=h.first_name) if h.first_name else w.thanks_anonymous
    passed = w.passed.format(who=h.employee_name or w.team)
    if h.opens_at is not None and h.now is not None:
        opens = _opens(w, h.opens_at, h.now)
        closed = w.closed.format(store=h.store_name or "", opens=opens).replace("  ", " ")
        return _join(thanks, closed, passed + w.reply_then)
    where = w.at_store.format(store=h.store_name) if h.store_name else ""
    return _join(thanks, passed + where + w.reply_soon)


def _wording(language: str | None) -> Wording | None:
    if not language:
        return None
    return _WORDINGS.get(language.split("-")[0].lower())


def _opens(w: Wording, opens_at: datetime, now: datetime) -> str:
    time = w.clock.format(hour=opens_at.hour, minute=opens_at.minute)
    days = (opens_at.date() - now.date()).days
    if days == 0:
        return w.today.format(time=time)
    if days == 1:
        return w.tomorrow.format(time=time)
    day = w.weekdays[opens_at.weekday()]
    if days >= 7:
        day = f"{day} {opens_at.day}.{opens_at.month:02d}."
    return w.on_day.format(day=day, time=time)


def _join(*parts: str) -> str:
    # Chinese runs its sentences together; the others take a space between them.
    text = " ".join(parts)
    return text.replace("。 ", "。")
