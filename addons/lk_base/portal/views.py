# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Home, profile, notification centre, help and language of the portal."""
import datetime as dt
import email
import email.policy
import email.utils
import mailbox
import re
import types

from flask import (
    abort, current_app, flash, g, redirect, render_template, request,
    session, url_for)
from flask_babel import gettext as _

from trytond.exceptions import UserError
from trytond.model.exceptions import ValidationError
from trytond.pool import Pool

from ..exceptions import DemoWriteError
from . import blueprint as bp
from .app import LANGUAGES
from .core import (
    current_party, current_web_user, file_response, get_own_or_404,
    local_path, paginate, portal_view, registry, rollback, search_counts,
    selection_labels, transaction)
from .forms import (
    MessageForm, NotificationFilterForm, NotificationSettingsForm,
    ProfileChangeForm)


@bp.route('/')
def index():
    return redirect(url_for('lk_base.home'))


@bp.route('/my')
@portal_view()
def home():
    # the client's party as the request's visitor read it: no read of
    # the whole record
    party = g.visitor_party
    return render_template(
        'lk_base/home.html', cards=registry().card_counts(),
        party=types.SimpleNamespace(
            name=party['name'], branch=party['branch'],
            person_kind_string=selection_labels(
                'party.party', 'person_kind').get(party['person_kind'], '')))


def _notify_methods():
    pool = Pool()
    Party = pool.get('party.party')
    return [(k, v) for k, v in Party.fields_get(
            ['notify_method'])['notify_method']['selection']]


def _profile_page(settings_form=None):
    pool = Pool()
    Request = pool.get('lk.profile.change.request')
    party = current_party()
    if settings_form is None:
        settings_form = NotificationSettingsForm(
            notify_from=party.notify_from, notify_to=party.notify_to,
            notify_method=party.notify_method)
    settings_form.notify_method.choices = _notify_methods()
    requests = Request.search(
        [('party', '=', party.id)], limit=5)
    return render_template(
        'lk_base/profile.html', party=party, user=current_web_user(),
        settings_form=settings_form, requests=requests)


@bp.route('/my/profile')
@portal_view()
def profile():
    return _profile_page()


@bp.route('/my/profile/notifications', methods=['POST'])
@portal_view()
def profile_notifications():
    pool = Pool()
    Party = pool.get('party.party')
    form = NotificationSettingsForm()
    form.notify_method.choices = _notify_methods()
    if not form.validate_on_submit():
        return _profile_page(form), 400
    party = current_party()
    Party.write([party], {
            'notify_from': form.notify_from.data,
            'notify_to': form.notify_to.data,
            'notify_method': form.notify_method.data,
            })
    flash(_('Notification settings saved.'), 'success')
    return redirect(url_for('lk_base.profile'))


@bp.route('/my/profile/change', methods=['GET', 'POST'])
@portal_view()
def profile_change():
    pool = Pool()
    Request = pool.get('lk.profile.change.request')
    party = current_party()
    kind = party.person_kind
    if request.method == 'GET':
        form = ProfileChangeForm(data={
                name: Request._current_value(party, name)
                for name in ProfileChangeForm().fields_for(kind)
                if name != 'passport_issue_date'} | {
                'passport_issue_date': party.passport_issue_date})
    else:
        form = ProfileChangeForm()
    if form.validate_on_submit():
        try:
            Request.submit(
                party, form.changes(kind), comment=form.comment.data or None,
                web_user=current_web_user())
        except (UserError, ValidationError) as exception:
            rollback()
            flash(exception.message, 'error')
        else:
            flash(_('Your request has been sent. We will notify you when '
                    'it is reviewed.'), 'success')
            return redirect(url_for('lk_base.profile'))
    return render_template(
        'lk_base/profile_change.html', form=form, party=party,
        fields=form.fields_for(kind))


@bp.route('/my/profile/requests/<int:request_id>/cancel', methods=['POST'])
@portal_view()
def profile_request_cancel(request_id):
    pool = Pool()
    Request = pool.get('lk.profile.change.request')
    change_request = get_own_or_404(
        'lk.profile.change.request', request_id)
    if change_request.state == 'submitted':
        Request.cancel([change_request])
        flash(_('The request has been withdrawn.'), 'success')
    return redirect(url_for('lk_base.profile'))


BOXES = {
    'inbox': [('direction', '=', 'in'), ('is_read', '=', False)],
    'sent': [('direction', '=', 'out')],
    'read': [('direction', '=', 'in'), ('is_read', '=', True)],
    }


@bp.route('/my/notifications')
@portal_view()
def notifications():
    box = request.args.get('box', 'inbox')
    if box not in BOXES:
        abort(404)
    party_id = g.party_ids[0]
    filter_form = NotificationFilterForm(request.args)
    domain = [('party', '=', party_id)] + BOXES[box]
    counts = dict(zip(BOXES, search_counts([
                    ('lk.notification', [('party', '=', party_id)] + box_domain)
                    for box_domain in BOXES.values()])))
    total = counts[box]
    if filter_form.validate() and filter_form.date.data:
        day = filter_form.date.data
        domain += [
            ('create_date', '>=', dt.datetime.combine(day, dt.time.min)),
            ('create_date', '<', dt.datetime.combine(
                    day + dt.timedelta(days=1), dt.time.min)),
            ]
        total = None
    # without a date the box's count is the pager's total
    page = paginate('lk.notification', domain, total=total)
    return render_template(
        'lk_base/notifications.html', page=page, box=box, counts=counts,
        filter_form=filter_form)


@bp.route('/my/notifications/<int:notification_id>')
@portal_view(readonly=False)
def notification(notification_id):
    pool = Pool()
    Notification = pool.get('lk.notification')
    Attachment = pool.get('ir.attachment')
    record = get_own_or_404('lk.notification', notification_id)
    if record.direction == 'in':
        try:
            Notification.mark_read([record])
        except DemoWriteError:
            pass  # a read-only account leaves no trace
    attachments = Attachment.search([('resource', '=', str(record))])
    return render_template(
        'lk_base/notification.html', notification=record,
        attachments=attachments)


@bp.route('/my/notifications/<int:notification_id>/attachments/'
    '<int:attachment_id>')
@portal_view()
def notification_attachment(notification_id, attachment_id):
    pool = Pool()
    Attachment = pool.get('ir.attachment')
    record = get_own_or_404('lk.notification', notification_id)
    attachments = Attachment.search([
            ('id', '=', attachment_id),
            ('resource', '=', str(record)),
            ])
    if not attachments:
        abort(404)
    attachment, = attachments
    return file_response(attachment.name, attachment.data)


@bp.route('/my/notifications/read', methods=['POST'])
@portal_view()
def notifications_mark_read():
    pool = Pool()
    Notification = pool.get('lk.notification')
    ids = [int(i) for i in request.form.getlist('ids') if i.isdigit()]
    records = [get_own_or_404('lk.notification', i) for i in ids]
    Notification.mark_read(records)
    if records:
        flash(_('Marked as read: %(count)s.', count=len(records)), 'success')
    return redirect(url_for('lk_base.notifications'))


@bp.route('/my/notifications/new', methods=['GET', 'POST'])
@portal_view()
def notification_new():
    pool = Pool()
    Notification = pool.get('lk.notification')
    form = MessageForm()
    if form.validate_on_submit():
        Notification.send_from_client(
            current_party(), form.subject.data.strip(), form.body.data)
        flash(_('Your message has been sent.'), 'success')
        return redirect(url_for('lk_base.notifications', box='sent'))
    return render_template('lk_base/message_new.html', form=form)


@bp.route('/help')
@transaction()
def help_page():
    pool = Pool()
    Office = pool.get('lk.office')
    return render_template(
        'lk_base/help.html', offices=Office.search([], limit=50))


@bp.route('/lang', methods=['POST'])
def set_language():
    lang = request.form.get('lang')
    if lang in LANGUAGES:
        session['lang'] = lang
    return redirect(local_path(
            request.form.get('next'), url_for('lk_base.home')))


@bp.route('/dev/outbox')
def dev_outbox():
    "The e-mails the local SMTP sink received (development only)"
    maildir = current_app.config.get('LK_DEV_MAILDIR')
    if not (current_app.config['LK_DEV'] and maildir):
        abort(404)
    messages = []
    box = mailbox.Maildir(maildir, factory=None, create=True)
    for key in box.keys():
        with box.get_file(key) as fp:
            message = email.message_from_binary_file(
                fp, policy=email.policy.default)
        body = message.get_body(preferencelist=('html', 'plain'))
        messages.append({
                'date': message['Date'],
                'to': message['To'],
                'subject': message['Subject'],
                'html': body.get_content_type() == 'text/html',
                'body': body.get_content() if body else '',
                'links': list(dict.fromkeys(re.findall(
                            r'href="(http[^"]+)"',
                            body.get_content() if body else ''))),
                'sort': email.utils.parsedate_to_datetime(
                    message['Date']).timestamp() if message['Date'] else 0,
                })
    messages.sort(key=lambda m: m['sort'], reverse=True)
    return render_template('lk_base/dev_outbox.html', messages=messages[:30])
