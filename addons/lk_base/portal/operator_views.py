# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The operators' cabinet of lk_base: staff sign-in, the client list with
its search and export, the client card and its actions, acting on behalf of
a client, registration at the counter."""
from flask import (
    flash, g, redirect, render_template, request, session, url_for)
from flask_babel import gettext as _

from trytond.exceptions import RateLimitException, UserError
from trytond.model.exceptions import ValidationError
from trytond.pool import Pool
from trytond.transaction import Transaction

from . import operator_blueprint as bp
from .app import limiter
from .auth import (
    _auth_limit, _branch_choices, _register_checks, registration_error)
from .core import (
    STAFF_KEY, client_ip, get_own_or_404, local_path, paginate, rollback)
from .export import xlsx_response
from .forms import (
    ClientFilterForm, CounterRegistrationForm, RolesForm, StaffLoginForm)
from .operator import (
    ADMIN_GROUPS, OPERATOR, current_staff, operator_view, staff_in,
    staff_transaction)

SORTS = {
    'id': ['id'],
    'created': ['create_date', 'id'],
    'name': ['party.name', 'id'],
    'email': ['email', 'id'],
    }
EXPORT_LIMIT = 50000


@bp.route('/login', methods=['GET', 'POST'])
@limiter.limit(_auth_limit, methods=['POST'])
@staff_transaction()
def login():
    pool = Pool()
    User = pool.get('res.user')
    Session = pool.get('lk.operator.session')
    if g.staff:
        return redirect(url_for('lk_operator.home'))
    form = StaffLoginForm()
    if form.validate_on_submit():
        try:
            user_id = User.lk_staff_login(
                form.login.data.strip(), form.password.data)
        except RateLimitException:
            form.password.errors.append(_(
                    'Too many attempts. Wait a few minutes and try again.'))
        else:
            if not user_id:
                form.password.errors.append(_('Wrong login or password.'))
            else:
                lang = session.get('lang')
                session.clear()
                if lang:
                    session['lang'] = lang
                session[STAFF_KEY] = Session.start(
                    user_id, ip=client_ip(),
                    user_agent=request.user_agent.string)
                return redirect(local_path(
                        request.args.get('next'),
                        url_for('lk_operator.home'), prefix='/operator'))
    return render_template('lk_base/operator/login.html', form=form)


@bp.route('/logout', methods=['POST'])
@operator_view(groups=None, acting=True, writes=False)
def logout():
    pool = Pool()
    Session = pool.get('lk.operator.session')
    Session.end(session.get(STAFF_KEY))
    lang = session.get('lang')
    session.clear()
    if lang:
        session['lang'] = lang
    flash(_('You have signed out.'), 'success')
    return redirect(url_for('lk_operator.login'))


@bp.route('/')
@operator_view(groups=None)
def home():
    if staff_in([OPERATOR]):
        return redirect(url_for('lk_operator.clients'))
    return render_template('lk_base/operator/home.html')


def _role_choices():
    pool = Pool()
    Role = pool.get('lk.role')
    return [(i, role[4]) for i, role in Role.lk_roles().items() if role[2]]


def _filter_form():
    pool = Pool()
    Branch = pool.get('lk.branch')
    form = ClientFilterForm(request.args)
    form.roles.choices = _role_choices()
    form.branch.choices = [('', _('Choose a branch'))] + Branch.lk_choices()
    form.validate()
    return form


def _order():
    sort = request.args.get('sort', 'created')
    direction = 'ASC' if request.args.get('dir') == 'asc' else 'DESC'
    return [(name, direction) for name in SORTS.get(sort, SORTS['created'])]


def _client_domain(form):
    pool = Pool()
    WebUser = pool.get('web.user')
    return WebUser.lk_operator_domain(form.filters())


@bp.route('/clients')
@operator_view()
def clients():
    form = _filter_form()
    with Transaction().set_context(active_test=False):
        page = paginate('web.user', _client_domain(form), order=_order())
    return render_template(
        'lk_base/operator/clients.html', form=form, page=page,
        sort=request.args.get('sort', 'created'),
        direction=request.args.get('dir', 'desc'))


@bp.route('/clients/export.xlsx')
@operator_view()
def clients_export():
    pool = Pool()
    WebUser = pool.get('web.user')
    form = _filter_form()
    with Transaction().set_context(active_test=False):
        users = WebUser.search(
            _client_domain(form), order=_order(), limit=EXPORT_LIMIT)
    columns = [
        (_('ID'), 8), (_('Created on'), 18), (_('Person kind'), 18),
        (_('SNILS/INN/KPP'), 18), (_('Full name / organisation'), 36),
        (_('E-mail'), 36), (_('Branch'), 22), (_('Roles'), 22),
        (_('State'), 22)]
    return xlsx_response(
        'clients', _('Clients'), columns, (
            _client_row(user) for user in users))


def _client_row(user):
    party = user.party
    return [
        user.id, user.create_date,
        party.person_kind_string if party else None,
        party.lk_identifier if party else user.login,
        party.name if party else None,
        user.email,
        party.branch.rec_name if party and party.branch else None,
        ', '.join(r.name for r in user.roles),
        _state_label(user),
        ]


def _state_label(user):
    return {
        'active': _('Active'),
        'unconfirmed': _('E-mail not confirmed'),
        'blocked': _('Blocked'),
        }[user.lk_state]


def _client_or_404(user_id):
    "The client's web user if the operator's branches include it, else 404"
    with Transaction().set_context(active_test=False):
        return get_own_or_404('web.user', user_id)


@bp.route('/clients/<int:user_id>')
@operator_view()
def client(user_id):
    pool = Pool()
    Audit = pool.get('lk.operator.audit')
    user = _client_or_404(user_id)
    roles_form = RolesForm(roles=[r.id for r in user.roles])
    roles_form.roles.choices = _role_choices()
    audits = []
    if staff_in(ADMIN_GROUPS):
        audits = Audit.search([('web_user', '=', user.id)], limit=10)
    return render_template(
        'lk_base/operator/client.html', user=user, party=user.party,
        roles_form=roles_form, audits=audits, state=_state_label(user),
        is_staff=user.lk_is_staff())


def _back_to(user):
    return redirect(url_for('lk_operator.client', user_id=user.id))


@bp.route('/clients/<int:user_id>/block', methods=['POST'])
@operator_view()
def client_block(user_id):
    pool = Pool()
    WebUser = pool.get('web.user')
    user = _client_or_404(user_id)
    WebUser.write([user], {'active': False})
    flash(_('The portal account is blocked.'), 'success')
    return _back_to(user)


@bp.route('/clients/<int:user_id>/activate', methods=['POST'])
@operator_view()
def client_activate(user_id):
    pool = Pool()
    WebUser = pool.get('web.user')
    user = _client_or_404(user_id)
    try:
        WebUser.write([user], {'active': True})
    except (UserError, ValidationError) as exception:
        rollback()
        flash(exception.message, 'error')
    else:
        flash(_('The portal account is active.'), 'success')
    return _back_to(user)


@bp.route('/clients/<int:user_id>/reset-password', methods=['POST'])
@operator_view()
def client_reset_password(user_id):
    pool = Pool()
    WebUser = pool.get('web.user')
    user = _client_or_404(user_id)
    if user.active and user.email:
        WebUser.lk_request_password_reset(user.login)
        flash(_('The link to set a new password has been sent to '
                '%(email)s.', email=user.email), 'success')
    else:
        flash(_('A blocked account or one without e-mail gets no link.'),
            'error')
    return _back_to(user)


@bp.route('/clients/<int:user_id>/resend-confirmation', methods=['POST'])
@operator_view()
def client_resend_confirmation(user_id):
    pool = Pool()
    WebUser = pool.get('web.user')
    user = _client_or_404(user_id)
    if user.email_valid:
        flash(_('The e-mail is already confirmed.'), 'info')
    else:
        WebUser.lk_resend_validation(user)
        flash(_('We sent the confirmation link again to %(email)s.',
                email=user.email), 'success')
    return _back_to(user)


@bp.route('/clients/<int:user_id>/roles', methods=['POST'])
@operator_view(groups=ADMIN_GROUPS)
def client_roles(user_id):
    user = _client_or_404(user_id)
    form = RolesForm()
    form.roles.choices = _role_choices()
    if form.validate_on_submit():
        user.roles = form.roles.data
        user.save()
        flash(_('Roles saved.'), 'success')
    else:
        flash(_('Choose roles from the list.'), 'error')
    return _back_to(user)


@bp.route('/clients/<int:user_id>/act', methods=['POST'])
@operator_view()
def client_act(user_id):
    pool = Pool()
    Session = pool.get('lk.operator.session')
    user = _client_or_404(user_id)
    try:
        Session.act(session.get(STAFF_KEY), user, ip=client_ip())
    except UserError as exception:
        rollback()
        flash(exception.message, 'error')
        return _back_to(user)
    return redirect(url_for('lk_base.home'))


@bp.route('/act/stop', methods=['POST'])
@operator_view(groups=None, acting=True, writes=False)
def act_stop():
    pool = Pool()
    Session = pool.get('lk.operator.session')
    user_id = Session.stop(session.get(STAFF_KEY))
    flash(_('You are working as yourself again.'), 'success')
    if user_id and staff_in([OPERATOR]):
        return redirect(url_for('lk_operator.client', user_id=user_id))
    return redirect(url_for('lk_operator.home'))


def _counter_branch_choices():
    pool = Pool()
    User = pool.get('res.user')
    choices = _branch_choices()
    if staff_in(ADMIN_GROUPS):
        return choices
    own = set(User.get_lk_branches())
    return choices[:1] + [c for c in choices[1:] if c[0] in own]


@bp.route('/clients/new', methods=['GET', 'POST'])
@operator_view()
def client_new():
    pool = Pool()
    WebUser = pool.get('web.user')
    ConsentText = pool.get('lk.pd.consent.text')
    form = CounterRegistrationForm()
    form.branch.choices = _counter_branch_choices()
    consent_text = ConsentText.current()
    if form.validate_on_submit() and _register_checks(form, WebUser):
        try:
            user = WebUser.lk_register(
                form.values(), consent_text, ip=client_ip(),
                user_agent=request.user_agent.string, channel='paper')
        except (UserError, ValidationError) as exception:
            rollback()
            registration_error(form, exception)
        else:
            flash(_('The client is registered. The link to set a password '
                    'has been sent to %(email)s.', email=user.email),
                'success')
            return redirect(url_for('lk_operator.client', user_id=user.id))
    return render_template(
        'lk_base/operator/client_new.html', form=form,
        consent_text=consent_text)


@bp.app_template_global()
def operator_staff():
    return current_staff()


@bp.app_template_global('staff_in')
def _staff_in(groups):
    return staff_in(groups)
