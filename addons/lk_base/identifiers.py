# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Checks of Russian identifiers: СНИЛС, ИНН, КПП, ОГРН(ИП), БИК, accounts.

Each check takes what a person typed and returns the compact form or
raises InvalidIdentifier with a message key of lk_base/message.xml; the
same functions serve the ORM validation and the portal forms.
"""
import re

import phonenumbers
from stdnum.exceptions import ValidationError
from stdnum.ru import inn as stdnum_inn
from stdnum.ru import ogrn as stdnum_ogrn


class InvalidIdentifier(ValueError):
    def __init__(self, key):
        super().__init__(key)
        self.key = key


def _digits(value):
    return re.sub(r'[\s\-]', '', value or '')


def _only_digits(value, length, key):
    value = _digits(value)
    if not value.isdigit() or len(value) != length:
        raise InvalidIdentifier(key)
    return value


def snils_check_number(number):
    "Return the two check digits of the first 9 digits of a СНИЛС"
    total = sum(int(d) * w for d, w in zip(number[:9], range(9, 0, -1)))
    if total > 101:
        total %= 101
    return '00' if total in (100, 101) else '%02d' % total


def check_snils(value):
    number = _only_digits(value, 11, 'msg_snils_invalid_format')
    # Numbers up to 001-001-998 were issued before the checksum existed
    if int(number[:9]) > 1001998 and snils_check_number(number) != number[9:]:
        raise InvalidIdentifier('msg_snils_invalid_checksum')
    return number


def format_snils(value):
    number = _digits(value)
    if len(number) != 11:
        return value
    return '%s-%s-%s %s' % (number[:3], number[3:6], number[6:9], number[9:])


def check_inn(value, person_kind=None):
    number = _digits(value)
    length = {'ul': 10, 'ip': 12, 'fl': 12}.get(person_kind)
    if not number.isdigit() or (length and len(number) != length):
        raise InvalidIdentifier(
            'msg_inn_invalid_length_ul' if person_kind == 'ul'
            else 'msg_inn_invalid_length_ip')
    try:
        return stdnum_inn.validate(number)
    except ValidationError:
        raise InvalidIdentifier('msg_inn_invalid_checksum')


def check_kpp(value):
    kpp = _digits(value).upper()
    # Positions 5-6 may hold Latin capitals (reason code), the rest digits
    if not re.fullmatch(r'\d{4}[\dA-Z]{2}\d{3}', kpp):
        raise InvalidIdentifier('msg_kpp_invalid')
    return kpp


def check_ogrn(value, person_kind=None):
    number = _digits(value)
    length = {'ul': 13, 'ip': 15}.get(person_kind)
    if not number.isdigit() or (length and len(number) != length):
        raise InvalidIdentifier(
            'msg_ogrnip_invalid' if person_kind == 'ip'
            else 'msg_ogrn_invalid')
    try:
        return stdnum_ogrn.validate(number)
    except ValidationError:
        raise InvalidIdentifier(
            'msg_ogrnip_invalid' if len(number) == 15
            else 'msg_ogrn_invalid')


def check_bik(value):
    return _only_digits(value, 9, 'msg_bik_invalid')


def _account_key_valid(control, account):
    weights = (7, 1, 3) * 8
    digits = control + account
    return sum(int(d) * w for d, w in zip(digits, weights)) % 10 == 0


def check_settlement_account(account, bik):
    "Расчётный счёт: 20 digits keyed with the last 3 digits of the БИК"
    account = _only_digits(account, 20, 'msg_account_invalid_format')
    bik = check_bik(bik)
    if not _account_key_valid(bik[-3:], account):
        raise InvalidIdentifier('msg_account_invalid_key')
    return account


def check_correspondent_account(account, bik):
    "Корр. счёт: 20 digits keyed with '0' and digits 5-6 of the БИК"
    account = _only_digits(account, 20, 'msg_corr_account_invalid_format')
    bik = check_bik(bik)
    if not _account_key_valid('0' + bik[4:6], account):
        raise InvalidIdentifier('msg_corr_account_invalid_key')
    return account


def check_passport(series, number):
    series = _only_digits(series, 4, 'msg_passport_series_invalid')
    number = _only_digits(number, 6, 'msg_passport_number_invalid')
    return series, number


def check_phone(value):
    "Return the phone in E.164, Russian numbers may be typed as 8XXXXXXXXXX"
    try:
        phone = phonenumbers.parse(value, 'RU')
    except phonenumbers.NumberParseException:
        raise InvalidIdentifier('msg_phone_invalid')
    if not phonenumbers.is_valid_number(phone):
        raise InvalidIdentifier('msg_phone_invalid')
    return phonenumbers.format_number(
        phone, phonenumbers.PhoneNumberFormat.E164)


def format_phone(value):
    if not value:
        return ''
    try:
        phone = phonenumbers.parse(value, 'RU')
    except phonenumbers.NumberParseException:
        return value
    return phonenumbers.format_number(
        phone, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
