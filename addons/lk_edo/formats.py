# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Russian wording of the generated documents: names in a grammatical case,
amounts in figures and words, dates, VAT by date."""
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from num2words import num2words
from pytrovich.detector import PetrovichGenderDetector
from pytrovich.enums import Case, Gender, NamePart
from pytrovich.maker import PetrovichDeclinationMaker

CASES = {
    'genitive': Case.GENITIVE,
    'dative': Case.DATIVE,
    'accusative': Case.ACCUSATIVE,
    'instrumental': Case.INSTRUMENTAL,
    'prepositional': Case.PREPOSITIONAL,
    }
MONTHS = [
    'января', 'февраля', 'марта', 'апреля', 'мая', 'июня', 'июля',
    'августа', 'сентября', 'октября', 'ноября', 'декабря']
# the VAT rate (%) from a date (Tax Code art. 164; 22 % from 01.01.2026)
VAT_RATES = [
    (dt.date(2026, 1, 1), Decimal(22)),
    (dt.date(2019, 1, 1), Decimal(20)),
    (dt.date(2004, 1, 1), Decimal(18)),
    ]
CENT = Decimal('0.01')
# the marker of the figures of the deadline rules still to check against
# the law (DOMAIN.md): it is for the staff, never printed
_maker = PetrovichDeclinationMaker()
_detector = PetrovichGenderDetector()


def gender_of(first_name, middle_name=None):
    try:
        gender = _detector.detect(
            firstname=first_name or None, middlename=middle_name or None)
    except Exception:  # pytrovich raises on names it does not know
        return Gender.MALE
    return Gender.FEMALE if gender == Gender.FEMALE else Gender.MALE


def person_name(last_name, first_name, middle_name=None, case=None):
    """«Гузиков Иван Игоревич» in case ('genitive', 'dative',
    'accusative', 'instrumental', 'prepositional'; None: nominative)"""
    parts = [
        (NamePart.LASTNAME, last_name), (NamePart.FIRSTNAME, first_name),
        (NamePart.MIDDLENAME, middle_name)]
    if case is None:
        return ' '.join(v for _, v in parts if v)
    gender = gender_of(first_name, middle_name)
    return ' '.join(
        _maker.make(part, gender, CASES[case], value)
        for part, value in parts if value)


def amount(value):
    "1 234 567,80"
    value = Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
    units, cents = divmod(abs(value), 1)
    text = '{:,}'.format(int(units)).replace(',', '\u00a0')
    return '%s%s,%02d' % ('-' if value < 0 else '', text, int(cents * 100))


def number(value):
    "A power or a voltage the Russian way: «0,38», «15», «15,5»"
    if value is None:
        return ''
    text = str(value)
    if '.' in text:
        text = text.rstrip('0').rstrip('.')
    return text.replace('.', ',')


def amount_words(value):
    "«одна тысяча двести рублей 50 копеек», from a Decimal"
    value = Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
    rubles, cents = divmod(value, 1)
    rubles, cents = int(rubles), int(cents * 100)
    words = num2words(rubles, lang='ru')
    return '%s %s %02d %s' % (
        words, _plural(rubles, 'рубль', 'рубля', 'рублей'),
        cents, _plural(cents, 'копейка', 'копейки', 'копеек'))


def _plural(n, one, few, many):
    n = abs(n) % 100
    if 10 < n < 20:
        return many
    n %= 10
    if n == 1:
        return one
    if 2 <= n <= 4:
        return few
    return many


def vat_rate(date):
    for start, rate in VAT_RATES:
        if date >= start:
            return rate
    return Decimal(0)


def vat_included(total, date):
    "The VAT contained in total at the rate of date"
    rate = vat_rate(date)
    return (Decimal(total) * rate / (100 + rate)).quantize(
        CENT, rounding=ROUND_HALF_UP)


def date_long(date):
    "««21» июня 2026 г.»"
    if not date:
        return ''
    return '«%02d» %s %d г.' % (date.day, MONTHS[date.month - 1], date.year)


def date_short(date):
    return date.strftime('%d.%m.%Y') if date else ''


def mask_name(name):
    "«Гузиков Иван Игоревич» → «Г****** И. И.»"
    parts = (name or '').split()
    if not parts:
        return ''
    head = parts[0][0] + '*' * (len(parts[0]) - 1)
    return ' '.join([head] + ['%s.' % p[0] for p in parts[1:3]])
