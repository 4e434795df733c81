# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Registration, sign-in, e-mail confirmation, password recovery."""
from flask import (
    current_app, flash, g, redirect, render_template, request, session,
    url_for)
from flask_babel import gettext as _

from trytond.exceptions import RateLimitException, UserError
from trytond.i18n import gettext as tryton_gettext
from trytond.model.exceptions import ValidationError
from trytond.pool import Pool

from ..exceptions import BranchScopeError, PasswordPolicyError
from ..web_user import login_of
from . import blueprint as bp
from .app import limiter
from .core import (
    SESSION_KEY, STAFF_KEY, client_ip, local_path, rollback, transaction)
from .forms import (
    LoginForm, NewPasswordForm, RegistrationForm, ResetRequestForm)


UNCONFIRMED_KEY = 'lk_unconfirmed'


def _auth_limit():
    return current_app.config['LK_AUTH_RATE_LIMIT']


def _form_login(form):
    return login_of(
        form.person_kind.data, form.snils.data, form.inn.data, form.kpp.data)


@bp.route('/login', methods=['GET', 'POST'])
@limiter.limit(_auth_limit, methods=['POST'])
@transaction()
def login():
    pool = Pool()
    WebUser = pool.get('web.user')
    if g.web_user_id:
        return redirect(url_for('lk_base.home'))
    form = LoginForm()
    unconfirmed = None
    if form.validate_on_submit():
        try:
            user = WebUser.lk_authenticate(_form_login(form), form.password.data)
        except RateLimitException:
            form.password.errors.append(_(
                    'Too many attempts. Wait a few minutes and try again '
                    'or recover the password.'))
        else:
            if not user:
                form.password.errors.append(_(
                        'Wrong identifier or password.'))
            elif not user.email_valid:
                # Proven by the password: may have the link sent again
                session[UNCONFIRMED_KEY] = user.id
                unconfirmed = user.email
            else:
                session.clear()
                session[SESSION_KEY] = WebUser.lk_new_session(user)
                session.permanent = True
                return redirect(local_path(
                        request.args.get('next'), url_for('lk_base.home')))
    return render_template(
        'lk_base/login.html', form=form, unconfirmed=unconfirmed)


@bp.route('/login/resend-confirmation', methods=['POST'])
@limiter.limit(_auth_limit)
@transaction()
def resend_confirmation():
    pool = Pool()
    WebUser = pool.get('web.user')
    user_id = session.pop(UNCONFIRMED_KEY, None)
    if user_id:
        user = WebUser.lk_resend_validation(user_id)
        flash(_('We sent the confirmation link again to %(email)s.',
                email=user.email), 'success')
    return redirect(url_for('lk_base.login'))


@bp.route('/logout', methods=['POST'])
@transaction()
def logout():
    pool = Pool()
    WebUser = pool.get('web.user')
    Session = pool.get('lk.operator.session')
    if session.get(SESSION_KEY):
        WebUser.lk_logout(session[SESSION_KEY])
    if session.get(STAFF_KEY):
        Session.end(session[STAFF_KEY])
    lang = session.get('lang')
    session.clear()
    if lang:
        session['lang'] = lang
    flash(_('You have signed out.'), 'success')
    return redirect(url_for('lk_base.login'))


def _branch_choices():
    pool = Pool()
    Branch = pool.get('lk.branch')
    return [(-1, _('Choose a branch'))] + Branch.lk_choices()


@bp.route('/register', methods=['GET', 'POST'])
@limiter.limit(_auth_limit, methods=['POST'])
@transaction()
def register():
    pool = Pool()
    WebUser = pool.get('web.user')
    ConsentText = pool.get('lk.pd.consent.text')
    if g.web_user_id:
        return redirect(url_for('lk_base.home'))
    form = RegistrationForm()
    form.branch.choices = _branch_choices()
    consent_text = ConsentText.current()
    if form.validate_on_submit() and _register_checks(form, WebUser):
        try:
            values = form.values()
            WebUser.lk_register(
                values, consent_text, ip=client_ip(),
                user_agent=request.user_agent.string)
        except (UserError, ValidationError) as exception:
            rollback()
            registration_error(form, exception)
        else:
            return render_template(
                'lk_base/register_done.html', email=values['email'])
    return render_template(
        'lk_base/register.html', form=form, consent_text=consent_text)


def _register_checks(form, WebUser):
    "Checks that need the database: the branch, a free identifier"
    ok = True
    if form.branch.data not in {c[0] for c in form.branch.choices[1:]}:
        form.branch.errors.append(_('Choose a branch'))
        ok = False
    login = _form_login(form)
    for field, message in WebUser.lk_registration_conflicts(
            form.person_kind.data, login, form.email.data):
        getattr(form, field).errors.append(tryton_gettext(message))
        ok = False
    return ok


def registration_error(form, exception):
    """Put the model's refusal of a registration next to its field; the
    password policy is the web user's own, checked when it is set"""
    if (isinstance(exception, PasswordPolicyError)
            and getattr(form, 'password', None) is not None):
        field = form.password
    elif isinstance(exception, BranchScopeError):
        field = form.branch
    else:
        field = form.email
    field.errors.append(exception.message)


@bp.route('/confirm-email')
@transaction(readonly=False)
def confirm_email():
    pool = Pool()
    WebUser = pool.get('web.user')
    users = WebUser.lk_validate_email_token(request.args.get('token'))
    return render_template('lk_base/confirm_email.html', ok=bool(users))


@bp.route('/reset-password', methods=['GET', 'POST'])
@limiter.limit(_auth_limit, methods=['POST'])
@transaction()
def reset_password():
    pool = Pool()
    WebUser = pool.get('web.user')
    form = ResetRequestForm()
    if form.validate_on_submit():
        WebUser.lk_request_password_reset(_form_login(form))
        # The same answer whether the account exists or not
        return render_template('lk_base/reset_sent.html')
    return render_template('lk_base/reset_request.html', form=form)


@bp.route('/reset-password/confirm', methods=['GET', 'POST'])
@limiter.limit(_auth_limit, methods=['POST'])
@transaction()
def reset_password_confirm():
    pool = Pool()
    WebUser = pool.get('web.user')
    email = request.args.get('email', '')
    token = request.args.get('token', '')
    if not WebUser.lk_reset_token_valid(email, token):
        # another's, used up or expired: nothing to see here
        return render_template('lk_base/reset_invalid.html'), 404
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            done = WebUser.lk_set_password_token(
                email, token, form.password.data)
        except ValidationError as exception:
            rollback()
            form.password.errors.append(exception.message)
        else:
            if done:
                flash(_('The new password is set. You can sign in.'),
                    'success')
                return redirect(url_for('lk_base.login'))
            return render_template('lk_base/reset_invalid.html')
    return render_template(
        'lk_base/reset_confirm.html', form=form, email=email)
