# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Helpers of the scenarios of lk_appointments (proteus)."""
import datetime as dt
from unittest.mock import patch

from proteus import Model

import trytond.config as config
from trytond.modules.lk_base.tests.tools import portal_request


def set_clock(start):
    """Patch the company's clock at start (naive UTC); return the list
    holding the time, to move it"""
    clock = [start]
    patch('trytond.modules.lk_base.clock.utcnow',
        side_effect=lambda: clock[0]).start()
    return clock


def create_office(code, name, address, timezone='Europe/Moscow',
        service="Подача заявки на технологическое присоединение "
        "(подключение)", capacity=2, weekdays=range(5)):
    """An office of a new branch open 08:00–18:00 on weekdays (Monday is 0)
    with a break 12:00–13:00, giving service with capacity windows; return
    the offer"""
    Branch = Model.get('lk.branch')
    Office = Model.get('lk.office')
    Service = Model.get('lk.appointment.service')
    Offer = Model.get('lk.appointment.offer')
    branch = Branch(name=name, code=code, timezone=timezone)
    branch.save()
    office = Office(branch=branch, name="Центр обслуживания клиентов",
        address=address)
    for weekday in weekdays:
        office.appointment_schedule.new(
            weekday=str(weekday), start=dt.time(8), end=dt.time(18),
            break_start=dt.time(12), break_end=dt.time(13))
    office.save()
    services = Service.find([('name', '=', service)])
    if services:
        service, = services
    else:
        service = Service(name=service, duration=30)
        service.save()
    offer = Offer(office=office, service=service, capacity=capacity)
    offer.save()
    return offer


def create_client(name):
    "A client (an individual) notified in the portal; return the party"
    Party = Model.get('party.party')
    last_name, first_name = name.split()[:2]
    party = Party(person_kind='fl', name=name, last_name=last_name,
        first_name=first_name, notify_method='portal')
    party.save()
    return party


def free_slots(offer, date):
    "The local «HH:MM» of the free slots of date, as the portal offers them"
    with portal_request() as pool:
        Offer = pool.get('lk.appointment.offer')
        offer = Offer(offer.id)
        return [offer.office.to_local(s).strftime('%H:%M')
            for s, _ in offer.free_slots(date)]


def book(party, offer, date, time, config=None):
    """Book for party the slot of offer at the local date and «HH:MM» as
    the portal does; return the id of the booking

    config: the proteus configuration, when called from another thread"""
    with portal_request(web_parties=[party.id], config=config) as pool:
        Appointment = pool.get('lk.appointment')
        Offer = pool.get('lk.appointment.offer')
        Party = pool.get('party.party')
        offer = Offer(offer.id)
        start = offer.office.to_utc(dt.datetime.combine(
                date, dt.time.fromisoformat(time)))
        return Appointment.book(Party(party.id), offer, start).id


def run_cron(method):
    "Run the ir.cron task of method ('lk.appointment|reject_no_shows')"
    Cron = Model.get('ir.cron')
    cron, = Cron.find([('method', '=', method)])
    cron.click('run_once')


def set_setting(name, value):
    """Set the [lk] appointment_<name> option; return the function that
    restores it"""
    option = 'appointment_' + name
    if not config.has_section('lk'):
        config.add_section('lk')
    previous = config.get('lk', option)
    config.set('lk', option, str(value))

    def restore():
        if previous is None:
            config._config.remove_option('lk', option)
            config._cache_clear()
        else:
            config.set('lk', option, previous)
    return restore


def day_slots(offer, date):
    """The local «HH:MM» of every slot of date, free or not, by the
    schedule, the production calendar and the office's exceptions"""
    with portal_request() as pool:
        Offer = pool.get('lk.appointment.offer')
        offer = Offer(offer.id)
        return [offer.office.to_local(s).strftime('%H:%M')
            for s, _ in offer.slots(date)]


def summary(times):
    "«first–last (count)» of a list of «HH:MM», or «closed»"
    if not times:
        return 'closed'
    return '%s–%s (%s)' % (times[0], times[-1], len(times))
