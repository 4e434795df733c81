# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The board of power redistribution: the public list, detail page and
feed; the client's announcements, threads and the redistribution
application of an agreed pair."""
from flask import (
    abort, current_app, flash, g, make_response, redirect, render_template,
    request, url_for)
from flask_babel import gettext as _

from trytond.exceptions import UserError
from trytond.modules.lk_base.portal.app import limiter
from trytond.modules.lk_base.portal.core import (
    current_party, current_web_user, get_own_or_404, paginate, portal_view,
    rollback, transaction)
from trytond.pool import Pool

from ..announcement import CONNECTED_STATES, FINAL_STATES
from ..exceptions import AnnouncementExcludedError
from . import blueprint as bp
from .forms import AnnouncementForm, BoardFilterForm, MessageForm

FORM_FIELDS = [
    'kind', 'centre_name', 'substation_address', 'power', 'message',
    'phone', 'email', 'active_until', 'contact_visibility']
FEED_SIZE = 50


def _message_limit():
    return current_app.config['LK_ANNOUNCEMENT_MESSAGE_RATE_LIMIT']


@bp.route('/announcements')
@transaction(readonly=True)
def board():
    filter_form = BoardFilterForm(request.args)
    filter_form.validate()
    page = paginate('lk.announcement',
        [('state', '=', 'published')] + filter_form.domain())
    return render_template(
        'lk_announcements/board.html', page=page, filter_form=filter_form)


@bp.route('/announcements/feed.atom')
@transaction(readonly=True)
def feed():
    Announcement = Pool().get('lk.announcement')
    announcements = Announcement.search(
        [('state', '=', 'published')],
        order=[('published_at', 'DESC'), ('id', 'DESC')], limit=FEED_SIZE)
    response = make_response(render_template(
            'lk_announcements/feed.xml', announcements=announcements))
    response.mimetype = 'application/atom+xml'
    return response


@bp.route('/announcements/<int:announcement_id>')
@transaction(readonly=True)
def announcement(announcement_id):
    record = get_own_or_404('lk.announcement', announcement_id)
    own = record.party.id in g.party_ids
    thread = None
    if g.party_ids and not own:
        Thread = Pool().get('lk.announcement.thread')
        threads = Thread.search([
                ('announcement', '=', record.id),
                ('party', 'in', g.party_ids),
                ], limit=1)
        thread = threads[0] if threads else None
    return render_template(
        'lk_announcements/announcement.html', announcement=record, own=own,
        thread=thread, form=MessageForm(),
        show_contacts=bool(g.party_ids) and (
            own or record.contact_visibility == 'signed_in'))


@bp.route('/announcements/<int:announcement_id>/write', methods=['POST'])
@limiter.limit(_message_limit)
@portal_view()
def write(announcement_id):
    pool = Pool()
    Thread = pool.get('lk.announcement.thread')
    record = get_own_or_404('lk.announcement', announcement_id)
    form = MessageForm()
    if not form.validate():
        flash(_('Write the message.'), 'error')
        return redirect(url_for(
                'lk_announcements.announcement',
                announcement_id=record.id))
    try:
        thread = Thread.open(record, current_party())
        thread.post(current_party(), form.text.data)
    except UserError as exception:
        rollback()
        flash(exception.message, 'error')
        return redirect(url_for(
                'lk_announcements.announcement',
                announcement_id=record.id))
    flash(_('The message is sent.'), 'success')
    return redirect(url_for('lk_announcements.thread', thread_id=thread.id))


@bp.route('/my/announcements')
@portal_view(readonly=True)
def mine():
    pool = Pool()
    Thread = pool.get('lk.announcement.thread')
    page = paginate('lk.announcement', [
            ('party', 'in', g.party_ids),
            ])
    threads = Thread.search(['OR',
            ('party', 'in', g.party_ids),
            ('announcement.party', 'in', g.party_ids),
            ], limit=100)
    return render_template(
        'lk_announcements/mine.html', page=page, threads=threads)


def _centres():
    "The power centres of the client's branch, for the form's list"
    pool = Pool()
    Centre = pool.get('lk.power.centre')
    party = current_party()
    domain = [('branch', '=', party.branch.id)] if party.branch else []
    return Centre.search(domain, limit=500)


def _connections():
    "The client's applications by which power receivers are connected"
    pool = Pool()
    Application = pool.get('lk.application')
    return Application.search([
            ('party', '=', current_party().id),
            ('state', 'in', CONNECTED_STATES),
            ('kind.workflow', '=', 'full'),
            ], order=[('id', 'ASC')])


def _form(**kwargs):
    form = AnnouncementForm(**kwargs)
    form.set_connections(_connections())
    return form


def _values(form, centres):
    values = {name: getattr(form, name).data for name in FORM_FIELDS}
    connections = {c for c, label in form.connection.choices if c}
    connection = form.connection.data
    values['connection'] = (connection if connection in connections
        and values['kind'] == 'offer' else None)
    for name in ['message', 'phone', 'email']:
        values[name] = values[name] or None
    matched = [c for c in centres if c.name == values['centre_name']]
    values['power_centre'] = matched[0].id if matched else None
    return values


def _save(form, record=None):
    "Save the form into the announcement (new when None) and submit it"
    pool = Pool()
    Announcement = pool.get('lk.announcement')
    centres = _centres()
    values = _values(form, centres)
    try:
        if record is None:
            record = Announcement(party=current_party(), **values)
            record.save()
            Announcement.submit([record])
        else:
            Announcement.write([record], values)
            if record.state == 'draft':
                Announcement.submit([record])
    except AnnouncementExcludedError as exception:
        rollback()
        field = form.connection if form.connection.data else form.kind
        field.errors = list(field.errors) + [exception.message]
        return None
    except UserError as exception:
        rollback()
        form.form_errors.append(exception.message)
        return None
    return record


@bp.route('/my/announcements/new', methods=['GET', 'POST'])
@portal_view()
def new():
    form = _form()
    if form.validate_on_submit():
        record = _save(form)
        if record:
            flash(_('The announcement is sent to moderation: it is '
                    'published once a moderator has approved it.'),
                'success')
            return redirect(url_for(
                    'lk_announcements.announcement',
                    announcement_id=record.id))
    return render_template(
        'lk_announcements/form.html', form=form, centres=_centres(),
        record=None), 400 if form.errors or form.form_errors else 200


def _own_or_404(announcement_id):
    record = get_own_or_404('lk.announcement', announcement_id)
    if record.party.id not in g.party_ids:
        abort(404)
    return record


@bp.route('/my/announcements/<int:announcement_id>/edit',
    methods=['GET', 'POST'])
@portal_view()
def edit(announcement_id):
    record = _own_or_404(announcement_id)
    if record.state in FINAL_STATES:
        flash(_('The announcement is closed and can no longer be changed.'),
            'error')
        return redirect(url_for(
                'lk_announcements.announcement', announcement_id=record.id))
    form = _form(obj=record)
    if form.validate_on_submit():
        if _save(form, record):
            flash(_('The announcement is changed and sent to moderation '
                    'again.'), 'success')
            return redirect(url_for(
                    'lk_announcements.announcement',
                    announcement_id=record.id))
    return render_template(
        'lk_announcements/form.html', form=form, centres=_centres(),
        record=record), 400 if form.errors or form.form_errors else 200


@bp.route('/my/announcements/<int:announcement_id>/close', methods=['POST'])
@portal_view()
def close(announcement_id):
    pool = Pool()
    Announcement = pool.get('lk.announcement')
    record = _own_or_404(announcement_id)
    if record.state not in FINAL_STATES:
        Announcement.close([record])
        flash(_('The announcement is closed.'), 'success')
    return redirect(url_for('lk_announcements.mine'))


def _thread_or_404(thread_id):
    thread = get_own_or_404('lk.announcement.thread', thread_id)
    if g.party_ids and not (
            thread.party.id in g.party_ids
            or thread.announcement.party.id in g.party_ids):
        abort(404)
    return thread


def _me(thread):
    "The client's side of the thread"
    pool = Pool()
    Party = pool.get('party.party')
    if thread.announcement.party.id in g.party_ids:
        return thread.announcement.party
    return Party(thread.party.id)


@bp.route('/my/announcements/threads/<int:thread_id>',
    methods=['GET', 'POST'])
@limiter.limit(_message_limit, methods=['POST'])
@portal_view()
def thread(thread_id):
    record = _thread_or_404(thread_id)
    form = MessageForm()
    if form.validate_on_submit():
        try:
            record.post(_me(record), form.text.data)
        except UserError as exception:
            rollback()
            flash(exception.message, 'error')
        else:
            return redirect(url_for(
                    'lk_announcements.thread', thread_id=record.id)
                + '#last')
    me = _me(record)
    return render_template(
        'lk_announcements/thread.html', thread=record, form=form, me=me,
        is_author=me == record.announcement.party,
        i_agreed=record.author_agreed if me == record.announcement.party
        else record.party_agreed,
        receiver=me == record.receiver), 400 if form.errors else 200


@bp.route('/my/announcements/threads/<int:thread_id>/agree',
    methods=['POST'])
@portal_view()
def agree(thread_id):
    record = _thread_or_404(thread_id)
    record.agree(_me(record))
    flash(_('Your agreement is recorded; the other party is notified.'),
        'success')
    return redirect(url_for('lk_announcements.thread', thread_id=record.id))


@bp.route('/my/announcements/threads/<int:thread_id>/apply',
    methods=['POST'])
@portal_view()
def apply(thread_id):
    pool = Pool()
    Application = pool.get('lk.application')
    record = _thread_or_404(thread_id)
    if _me(record) != record.receiver:
        abort(404)
    try:
        application = Application.create_redistribution(
            record, web_user=current_web_user())
    except UserError as exception:
        rollback()
        flash(exception.message, 'error')
        return redirect(url_for(
                'lk_announcements.thread', thread_id=record.id))
    return redirect(url_for(
            'lk_applications.step', application_id=application.id,
            step=application.steps[0]))
