# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Demo data of lk_appointments: the services of the seed, the offices of
the demo branches receiving clients Mon–Fri 08:00–18:00 as on the seed's
screen, two windows each.

`setup_demo()` runs as root inside a transaction after lk_base's and may
run again: it creates only what is missing."""
import datetime as dt

from trytond.pool import Pool

SERVICES = [
    ("Подача заявки на технологическое присоединение (подключение)", 30),
    ("Консультация", 30),
    ("Выдача документов", 30),
    ]


def setup_demo():
    pool = Pool()
    Service = pool.get('lk.appointment.service')
    Offer = pool.get('lk.appointment.offer')
    Office = pool.get('lk.office')
    Schedule = pool.get('lk.appointment.schedule')
    services = []
    for name, duration in SERVICES:
        found = Service.search([('name', '=', name)], limit=1)
        if not found:
            found = [Service(name=name, duration=duration)]
            Service.save(found)
        services.extend(found)
    for office in Office.search([]):
        if not office.appointment_schedule:
            Schedule.save([Schedule(
                        office=office, weekday=str(day), start=dt.time(8),
                        end=dt.time(18)) for day in range(5)])
        known = {o.service for o in office.appointment_offers}
        Offer.save([Offer(office=office, service=s, capacity=2)
                for s in services if s not in known])
