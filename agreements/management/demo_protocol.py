"""The demo's delegation protocol (seed_demo): participants, a programme, a budget,
gifts and a ceremony for the first two delegations of Tehran's agreements, once (a
delegation with participants is left as it is)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import time, timedelta
from decimal import Decimal

from agreements.models import (
    BudgetLine,
    Ceremony,
    Delegation,
    DelegationParticipant,
    Gift,
    ProgrammeItem,
)


def add(delegations: Iterable[Delegation], officer, *, save: Callable, count: Callable) -> None:
    for index, delegation in enumerate(delegations):
        if delegation.participants.exists():
            continue
        by = {"created_by": officer, "delegation": delegation}
        day = delegation.start_date
        for side, name, role, organisation, documents, diet in [
            (
                "home",
                "Reza Karimi",
                "Head of delegation",
                "Tehran Municipality",
                "visa_granted",
                "",
            ),
            (
                "home",
                "Sara Moradi",
                "Interpreter",
                "International Relations Office",
                "visa_requested",
                "Vegetarian",
            ),
            ("home", "Ali Jafari", "Councillor", "Tehran City Council", "passport_ok", ""),
            ("partner", "Host protocol officer", "Protocol", "Host city hall", "", ""),
        ]:
            save(
                DelegationParticipant(
                    side=side,
                    name=name,
                    role=role,
                    organisation=organisation,
                    travel_documents=documents if delegation.direction == "outgoing" else "",
                    dietary_needs=diet,
                    **by,
                )
            )
        count("participants", 4)
        for offset, start, end, what, what_fa, place, place_fa in [
            (
                0,
                "09:00",
                "10:30",
                "Welcome at City Hall",
                "خوش‌آمدگویی در شهرداری",
                "City Hall",
                "ساختمان شهرداری",
            ),
            (
                0,
                "11:00",
                "13:00",
                "Meeting with the mayor",
                "دیدار با شهردار",
                "Mayor's office",
                "دفتر شهردار",
            ),
            (
                0,
                "19:00",
                None,
                "Official dinner",
                "شام رسمی",
                "Municipal guest house",
                "مهمان‌سرای شهرداری",
            ),
            (
                1,
                "10:00",
                "12:00",
                "Visit to the cultural centre",
                "بازدید از فرهنگسرا",
                "Cultural centre",
                "فرهنگسرا",
            ),
            (
                1,
                "15:00",
                "16:00",
                "Signing ceremony",
                "مراسم امضا",
                "Council chamber",
                "تالار شورا",
            ),
        ]:
            date = day + timedelta(days=offset)
            if delegation.end_date and date > delegation.end_date:
                date = delegation.end_date
            save(
                ProgrammeItem(
                    date=date,
                    start_time=time.fromisoformat(start),
                    end_time=time.fromisoformat(end) if end else None,
                    description=what,
                    description_fa=what_fa,
                    place=place,
                    place_fa=place_fa,
                    attendees="Both delegations",
                    responsible=officer,
                    **by,
                )
            )
        count("programme items", 5)
        for category, planned, actual, currency, paid_by in [
            ("travel", "4200.00", "4050.00", "EUR", "home"),
            ("lodging", "2600.00", "2750.00", "EUR", "partner"),
            ("interpreting", "350000000", "320000000", "IRR", "home"),
            ("gifts", "90000000", None, "IRR", "home"),
        ][: 4 if index == 0 else 2]:
            save(
                BudgetLine(
                    category=category,
                    planned_amount=Decimal(planned),
                    actual_amount=Decimal(actual) if actual else None,
                    currency=currency,
                    paid_by=paid_by,
                    **by,
                )
            )
        count("budget lines", 4 if index == 0 else 2)
        if index == 0:
            for direction, what, value, currency, giver, recipient, kept_at in [
                (
                    "given",
                    "Hand-painted Isfahan miniature",
                    "45000000",
                    "IRR",
                    "Mayor of Tehran",
                    "Host mayor",
                    "",
                ),
                (
                    "received",
                    "Crystal vase with the city's arms",
                    "300",
                    "EUR",
                    "Host mayor",
                    "Mayor of Tehran",
                    "Tehran City Hall, protocol office showcase",
                ),
            ]:
                save(
                    Gift(
                        direction=direction,
                        description=what,
                        estimated_value=Decimal(value),
                        currency=currency,
                        giver=giver,
                        recipient=recipient,
                        date=day,
                        kept_at=kept_at,
                        **by,
                    )
                )
            count("gifts", 2)
            save(
                Ceremony(
                    kind="signing",
                    date=day + timedelta(days=1) if delegation.end_date else day,
                    venue="Council chamber",
                    home_officials="Mayor of Tehran\nHead of the International Relations Office",
                    partner_officials="Mayor of the partner city",
                    press_release_url="https://www.tehran.ir/",
                    **by,
                )
            )
            count("ceremonies")
