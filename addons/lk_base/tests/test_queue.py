# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The outbound queue of lk_base with its real commits, on the portal's
database: the e-mails of the accounts and of the notifications."""
import datetime as dt
import re
import smtplib
from unittest import mock

from trytond.pool import Pool
from trytond.transaction import Transaction

SEND = 'trytond.modules.lk_base.notification.send_message'


def deliveries_of(user_id):
    Delivery = Pool().get('lk.notification.delivery')
    return Delivery.search([('web_user', '=', user_id)], order=[('id', 'ASC')])


def test_validation_email_waits_while_smtp_is_down(root, make_client):
    "SMTP down: the validation stays queued and goes out on a later run"
    with mock.patch(SEND, side_effect=smtplib.SMTPServerDisconnected(
                "Connection unexpectedly closed")) as send:
        account = make_client()
        with root() as transaction:
            Delivery = Pool().get('lk.notification.delivery')
            delivery, = deliveries_of(account.user_id)
            assert (delivery.channel, delivery.address, delivery.state) == (
                'email', account.email, 'pending')
            Delivery.queue_process([delivery])
            transaction.commit()
        assert send.call_count == 1
    with root():
        delivery, = deliveries_of(account.user_id)
        assert (delivery.state, delivery.attempts) == ('pending', 1)
        assert 'Connection unexpectedly closed' in delivery.last_error
        next_attempt = delivery.next_attempt

    with mock.patch(SEND) as send, root() as transaction:
        Delivery = Pool().get('lk.notification.delivery')
        # not before its next attempt
        Delivery.queue_process([delivery])
        send.assert_not_called()
        with mock.patch('trytond.modules.lk_base.clock.utcnow',
                return_value=next_attempt):
            Delivery.send_pending()
        transaction.commit()
    msg, = [c.args[0] for c in send.call_args_list
        if c.args[0]['To'] == account.email]
    with root():
        delivery, = deliveries_of(account.user_id)
        assert (delivery.state, delivery.attempts) == ('done', 2)
        assert delivery.sent_at == next_attempt

    # text and HTML, the link whole in the text
    assert msg.get_content_type() == 'multipart/alternative'
    assert [p.get_content_type() for p in msg.iter_parts()] == [
        'text/plain', 'text/html']
    text = msg.get_body(('plain',)).get_content()
    assert re.search(r'/confirm-email\?token=\w{20,}\s', text)


def test_counter_registration_queues_set_password(root, make_client):
    "At the counter (no password) the set-password e-mail is queued"
    with mock.patch(SEND) as send:
        account = make_client(password=None)
        with root() as transaction:
            Delivery = Pool().get('lk.notification.delivery')
            delivery, = deliveries_of(account.user_id)
            assert delivery.state == 'pending'
            Delivery.queue_process([delivery])
            transaction.commit()
    msg, = [c.args[0] for c in send.call_args_list]
    assert msg['To'] == account.email
    text = msg.get_body(('plain',)).get_content()
    assert '/reset-password/confirm?' in text


def test_failed_after_max_attempts_and_retry(root, make_client, lk_config):
    "After [lk] delivery_attempts the delivery fails; retry starts over"
    lk_config('lk', 'delivery_attempts', '2')
    with mock.patch(SEND, side_effect=ConnectionRefusedError("down")):
        account = make_client()
        now = dt.datetime.now()
        for attempt in range(2):
            with mock.patch('trytond.modules.lk_base.clock.utcnow',
                    return_value=now), root() as transaction:
                Delivery = Pool().get('lk.notification.delivery')
                delivery, = deliveries_of(account.user_id)
                Delivery.queue_process([delivery])
                transaction.commit()
            now += dt.timedelta(days=1)
    with root() as transaction:
        Delivery = Pool().get('lk.notification.delivery')
        delivery, = deliveries_of(account.user_id)
        assert (delivery.state, delivery.attempts) == ('failed', 2)
        assert delivery.next_attempt is None
        Delivery.retry([delivery])
        assert (delivery.state, delivery.attempts) == ('pending', 0)
        transaction.rollback()


def test_notification_email_has_text_and_html(root, make_client):
    "A notification e-mail: text/plain next to text/html, then attachments"
    account = make_client()
    with mock.patch(SEND) as send, root() as transaction:
        pool = Pool()
        Notification = pool.get('lk.notification')
        Delivery = pool.get('lk.notification.delivery')
        party = pool.get('party.party')(account.party_id)
        notification = Notification.notify(
            party, "Счёт <выставлен>", "Оплатите счёт.\n\nСпасибо.",
            link='/my/invoices/7', attachments=[('offer.pdf', b'%PDF-1.4')],
            channels=['email'])
        delivery, = notification.deliveries
        Delivery.queue_process([delivery])
        transaction.commit()
    msg, = [c.args[0] for c in send.call_args_list]
    assert msg.get_content_type() == 'multipart/mixed'
    body = msg.get_body(('related', 'html', 'plain'))
    assert body.get_content_type() == 'text/html'
    assert '&lt;выставлен&gt;' in body.get_content()
    assert '<a href="http://127.0.0.1:8000/my/invoices/7">' in (
        body.get_content())
    text = msg.get_body(('plain',)).get_content()
    assert 'Оплатите счёт.' in text and '/my/invoices/7' in text
    assert [p.get_filename() for p in msg.iter_attachments()] == [
        'offer.pdf']


def test_no_transaction_open_during_the_call(root, make_client):
    "The claim is committed before the call, the outcome after it"
    account = make_client()
    seen = []

    def send(msg, strict=False):
        transaction = Transaction()
        seen.append(in_transaction(transaction.connection))
        # the claim is visible to another transaction
        with transaction.new_transaction(readonly=True):
            delivery, = deliveries_of(account.user_id)
            seen.append(delivery.attempts)

    with mock.patch(SEND, side_effect=send), root() as transaction:
        Delivery = Pool().get('lk.notification.delivery')
        delivery, = deliveries_of(account.user_id)
        Delivery.queue_process([delivery])
    assert seen == [False, 1]
    with root():
        delivery, = deliveries_of(account.user_id)
        assert delivery.state == 'done'


def in_transaction(connection):
    "Whether a database transaction is open on connection"
    if hasattr(connection, 'in_transaction'):  # sqlite3
        return connection.in_transaction
    info = getattr(connection, 'info', None)
    if info is not None and hasattr(info, 'transaction_status'):  # psycopg
        return info.transaction_status != 0
    return connection.get_transaction_status() != 0  # psycopg2


def test_email_change_confirmed_by_the_new_address_only(root, make_client):
    "The link of a new validation of the old address confirms no change"
    account = make_client()
    with mock.patch(SEND), root() as transaction:
        WebUser = Pool().get('web.user')
        user = WebUser(account.user_id)
        WebUser.request_email_change([user], 'New-%s' % account.email)
        change_token = user.email_token
        assert user.email_change == 'new-%s' % account.email.lower()
        WebUser.validate_email([user])
        assert user.email_change is None
        assert WebUser.lk_validate_email_token(change_token) == []
        WebUser.lk_validate_email_token(user.email_token)
        assert WebUser(user.id).email == account.email
        transaction.rollback()
