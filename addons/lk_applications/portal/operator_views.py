# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The operators' applications: the list, the board of stages and the
application page, with the move to another state.

The pages run as the staff res.user (`operator_view`), so the record rules
limit an operator to the applications of their branches. The move form
offers the edges of the workflow the staff member may take
(`Application.allowed_edges`) and a move goes through
`Application.move_to`: the edge's button, with the same checks as in the
back office."""

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sql import Column, Literal, Union
from wtforms import BooleanField, IntegerField, SelectField
from wtforms.validators import NumberRange, Optional

from trytond.exceptions import UserError
from trytond.model.exceptions import ValidationError
from trytond.modules.lk_base import search
from trytond.modules.lk_base.portal.core import (
    COUNT_LIMIT, form_filters, get_own_or_404, local_path, paginate,
    rollback)
from trytond.modules.lk_base.portal.operator import operator_view
from trytond.pool import Pool
from trytond.transaction import Transaction

from ..application import FINAL_STATES
from . import blueprint as bp
from .forms import MoveForm, OperatorFilterForm, RemarkForm
from .views import add_remark, refusal, send_document

GROUPS = (
    'lk_base.group_lk_operator', 'lk_base.group_lk_admin',
    'lk_base.group_lk_demo')
# the board shows at most this many cards per stage, with a link to the
# list of the others (which pages through all)
BOARD_COLUMN = 10
BOARD_ORDER = [('deadline', 'ASC NULLS LAST'), ('id', 'ASC')]
# «client contains» reads the ids of at most this many applications
MATCHES = 1000


def _states():
    """(state, label) of the applications in the language of the request,
    read once per request: the board labels the moves of every card"""
    if 'lk_application_states' not in g:
        Application = Pool().get('lk.application')
        g.lk_application_states = Application.fields_get(
            ['state'])['state']['selection']
    return g.lk_application_states


def _filter_form():
    pool = Pool()
    Branch = pool.get('lk.branch')
    Kind = pool.get('lk.application.kind')
    form = OperatorFilterForm(request.args)
    form.branch.choices = [('', _('All branches'))] + Branch.lk_choices()
    form.kind.choices = [('', _('All kinds'))] + [
        (k.id, k.title) for k in Kind.search([])]
    form.state.choices = [('', _('All'))] + _states()
    form.validate()
    return form


def _domain(form):
    "The domain of the filters of form that hold a valid value"
    filters = form_filters(form)
    domain = search.date_range(
        'create_date', filters.get('date_from'), filters.get('date_to'))
    for name in ['branch', 'kind', 'state']:
        if name in filters:
            domain.append((name, '=', filters[name]))
    if 'overdue' in filters:
        domain.append(('overdue', '=', filters['overdue'] == 'yes'))
    text = filters.get('client', '').strip()
    if text:
        domain.append(('id', 'in', _client_matches(text)))
    return domain


def _client_matches(text):
    """The ids of the applications whose client or applicant contains
    text, for an 'in' clause: a list when there are at most MATCHES (read
    by one statement, so that the list's count and page and the board's
    16 stages do not search the text again each), else the subquery.

    The subquery is a UNION of the applications of the matching parties
    and those whose applicant matches, each side served by indexes (the
    trigram indexes of the columns themselves, which the ORM's clauses
    would wrap in COALESCE, and the one of the applications' party); an OR
    of two subqueries would test every application of the list."""
    pool = Pool()
    party = pool.get('party.party').__table__()
    application = pool.get('lk.application').__table__()
    applicant = pool.get('lk.application').__table__()
    parties = party.select(party.id, where=(
            search.ilike_contains(party.name, text)
            | search.ilike_contains(party.snils, text)
            | search.ilike_contains(party.inn, text)))
    matches = Union(
        application.select(application.id,
            where=application.party.in_(parties)),
        applicant.select(applicant.id, where=(
                search.ilike_contains(applicant.applicant_name, text)
                | search.ilike_contains(
                    applicant.applicant_identifier, text))))
    cursor = Transaction().connection.cursor()
    cursor.execute(*matches.select(
            Column(matches, 'id'), limit=MATCHES + 1))
    ids = [i for i, in cursor]
    return ids if len(ids) <= MATCHES else matches


@bp.route('/operator/applications')
@operator_view(groups=GROUPS)
def operator_applications():
    form = _filter_form()
    page = paginate('lk.application', _domain(form),
        order=[('create_date', 'DESC'), ('id', 'DESC')])
    return render_template(
        'lk_applications/operator/applications.html', form=form, page=page)


@bp.route('/operator/applications/board')
@operator_view(groups=GROUPS)
def operator_board():
    form = _filter_form()
    columns = []
    states = _states()
    cards, counts = _board_cards(_domain(form), [s[0] for s in states])
    for key, label in states:
        count = counts.get(key, 0)
        if key not in FINAL_STATES or count:
            more = None
            if count > len(cards.get(key, [])):
                more = url_for('lk_applications.operator_applications',
                    **dict(request.args.to_dict(), state=key))
            columns.append((key, label, cards.get(key, []),
                    min(count, COUNT_LIMIT), count > COUNT_LIMIT, more))
    return render_template(
        'lk_applications/operator/board.html', form=form, columns=columns,
        limit=BOARD_COLUMN)


def _board_cards(domain, states):
    """({state: the first BOARD_COLUMN applications of domain in
    BOARD_ORDER}, {state: the number of applications of domain, counted
    up to COUNT_LIMIT + 1}): three statements whatever the number of
    applications; the counts and the cards by an index scan per stage
    (state, deadline) that stops at its limit"""
    Application = Pool().get('lk.application')
    cursor = Transaction().connection.cursor()
    counted = []
    for state in states:
        # COUNT over a LIMIT-ed subquery without ORDER BY
        count = Application.search(domain + [('state', '=', state)],
            order=[], count=True, limit=COUNT_LIMIT + 1, query=True)
        count.columns = (Literal(state).as_('state'), *count.columns)
        counted.append(count)
    cursor.execute(*Union(*counted, all_=True))
    counts = dict(cursor)
    firsts = []
    for state in states:
        if counts.get(state):
            first = Application.search(domain + [('state', '=', state)],
                order=BOARD_ORDER, limit=BOARD_COLUMN, query=True)
            firsts.append(first.select(first.id))
    cards = {}
    if firsts:
        cursor.execute(*(Union(*firsts, all_=True)
                if len(firsts) > 1 else firsts[0]))
        records = Application.search([('id', 'in', [i for i, in cursor])],
            order=BOARD_ORDER)
        for record in records:
            cards.setdefault(record.state, []).append(record)
    return cards, counts


class ReviewForm(FlaskForm):
    "What the operator records at the review: it decides the connection term"
    network_distance = IntegerField(
        _l('Distance to the existing network (m)'),
        validators=[Optional(), NumberRange(
                min=0, max=100000, message=_l('Enter a distance in metres.'))])
    location = SelectField(_l('Location'), choices=[
            ('', ''),
            ('town', _l('Town or urban settlement')),
            ('rural', _l('Rural area')),
            ])
    land_issues = BooleanField(_l('Land of other owners is needed'))


def _review_form(record, formdata=None):
    form = ReviewForm(formdata, obj=record if formdata is None else None)
    if formdata is None:
        form.location.data = record.location or ''
    return form


@bp.route('/operator/applications/<int:application_id>')
@operator_view(groups=GROUPS)
def operator_application(application_id):
    record = get_own_or_404('lk.application', application_id)
    return _operator_page(record)


def _operator_page(record, remark_form=None, status=200,
        review_form=None):
    return render_template(
        'lk_applications/operator/application.html', application=record,
        remark_form=remark_form or RemarkForm(),
        review_form=review_form or _review_form(record)), status


@bp.route('/operator/applications/<int:application_id>/review',
    methods=['POST'])
@operator_view(groups=GROUPS)
def operator_review(application_id):
    Application = Pool().get('lk.application')
    record = get_own_or_404('lk.application', application_id)
    form = _review_form(record, request.form)
    if form.validate_on_submit():
        try:
            Application.write([record], {
                    'network_distance': form.network_distance.data,
                    'location': form.location.data or None,
                    'land_issues': form.land_issues.data,
                    })
        except (UserError, ValidationError) as exception:
            rollback()
            flash(refusal(exception), 'error')
        else:
            flash(_('The review data are saved.'), 'success')
            return redirect(url_for(
                    'lk_applications.operator_application',
                    application_id=record.id))
    record = get_own_or_404('lk.application', application_id)
    return _operator_page(record, review_form=form, status=400)


@bp.route('/operator/applications/<int:application_id>/move',
    methods=['POST'])
@operator_view(groups=GROUPS)
def operator_move(application_id):
    Application = Pool().get('lk.application')
    record = get_own_or_404('lk.application', application_id)
    form = MoveForm()
    # any state passes the form: move_to refuses what the workflow or the
    # user's groups do not allow, with its own message
    form.state.choices = _states()
    if not form.validate_on_submit():
        flash(_('Choose the state to move the application to.'), 'error')
        return redirect(_back(record))
    try:
        Application.move_to(
            [record], form.state.data, comment=form.comment.data)
    except (UserError, ValidationError) as exception:
        rollback()
        flash(refusal(exception), 'error')
    else:
        flash(_('Application %(number)s is moved to «%(state)s».',
                number=record.number, state=record.state_string), 'success')
    return redirect(_back(record))


def _back(record):
    "Where the move form was: the board (with its filters) or the page"
    return local_path(
        request.form.get('next'), url_for(
            'lk_applications.operator_application',
            application_id=record.id),
        prefix='/operator/applications')


@bp.route('/operator/applications/<int:application_id>/remark',
    methods=['POST'])
@operator_view(groups=GROUPS)
def operator_remark(application_id):
    "The company's remark with files; the client is notified"
    record = get_own_or_404('lk.application', application_id)
    form = RemarkForm()
    status = add_remark(record, form)
    if status:
        return _operator_page(
            get_own_or_404('lk.application', application_id), form, status)
    flash(_('The remark is sent to the client.'), 'success')
    return redirect(url_for(
            'lk_applications.operator_application', application_id=record.id)
        + '#remarks')


@bp.route('/operator/applications/<int:application_id>/documents/'
    '<int:document_id>')
@operator_view(groups=GROUPS)
def operator_document(application_id, document_id):
    return send_document(application_id, document_id)


@bp.app_template_global()
def move_choices(application):
    """(state, label, comment required) of the edges the staff member may
    take from the application's state; whether the staff member may take
    an edge is asked once per request, not once per card of the board"""
    labels = dict(_states())
    allowed = g.setdefault('lk_allowed_edges', {})
    choices = []
    for edge in application.edges():
        if edge not in allowed:
            allowed[edge] = application.may_take(edge)
        if allowed[edge] and not application.taken_by_system(edge):
            choices.append((edge.target, labels[edge.target], edge.comment))
    return choices
