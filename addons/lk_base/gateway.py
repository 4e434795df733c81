# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Gateways to the outside services, one registry for every kind.

A kind of service (SMS, the document system of the hand-over; next the
payment gateways and the supply company) has an interface, a section
`[lk_<kind>]` of the trytond configuration and adapters registered under a
name; `gateway = <name>` in that section chooses one:

    [lk_sms]
    gateway = smsru          # or outbox (the default)

    [lk_handover]
    gateway = http
    url = …

Modules register their adapters at import:

    @gateway.register('sms', 'smsru')
    class SmsRuGateway(gateway.SmsGateway):
        @classmethod
        def from_config(cls, section): …

and the code that calls a service asks for the configured one with
`gateway.get('sms')`.
"""
import abc

import trytond.config as config

_kinds = {}
_adapters = {}


class GatewayConfigurationError(Exception):
    "The configured gateway cannot work (unknown name, missing setting)"


def register_kind(kind, default):
    "Declare a kind of service and its default adapter"
    _kinds[kind] = default
    _adapters.setdefault(kind, {})


def register(kind, name):
    "A class decorator registering an adapter of kind under name"
    def decorator(cls):
        _adapters.setdefault(kind, {})[name] = cls
        return cls
    return decorator


def section(kind):
    return 'lk_' + kind


def name(kind):
    "The name of the configured adapter of kind"
    return config.get(section(kind), 'gateway', default=_kinds.get(kind))


def get(kind):
    "The configured adapter of kind, built from its configuration section"
    adapter = _adapters.get(kind, {}).get(name(kind))
    if adapter is None:
        raise GatewayConfigurationError(
            "Unknown %s gateway %r (known: %s)" % (
                kind, name(kind), ', '.join(sorted(_adapters.get(kind, {})))))
    return adapter.from_config(section(kind))


class Gateway(abc.ABC):

    @classmethod
    def from_config(cls, section):
        "The adapter as the configuration section says"
        return cls()


class SmsGateway(Gateway):
    "Sends text messages"

    @abc.abstractmethod
    def send(self, phone, text):
        "Send text to phone in E.164; return the gateway's message id"


class DocumentSystemGateway(Gateway):
    "Hands records over to the company's internal document system"

    @abc.abstractmethod
    def send(self, key, body):
        """Hand over body (bytes of JSON) once: key is the idempotency key
        the receiver deduplicates on. Return the answer's status code;
        raise to try again later."""


register_kind('sms', 'outbox')
register_kind('handover', 'http')
