# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""«Заявки по направлению приборы учета»: the list and the chooser of the
meter applications and the step «Вид заявки»; the other steps, the page
and the moves are those of the applications engine (lk_applications)."""
from flask import render_template, request
from flask_babel import gettext as _

from trytond.exceptions import UserError
from trytond.model.exceptions import ValidationError
from trytond.modules.lk_applications.portal import views as engine
from trytond.modules.lk_base.portal.core import (
    current_party, portal_view, rollback)
from trytond.pool import Pool

from ..application import SECTION
from . import blueprint as bp
from .forms import MeterObjectForm, MeterTechnicalForm, RequestForm


@bp.route('/my/meter-applications')
@portal_view()
def meter_applications():
    filter_form, page = engine.section_list(SECTION)
    return render_template(
        'lk_meters/applications.html', page=page, filter_form=filter_form,
        profile_incomplete=profile_incomplete(current_party()))


def profile_incomplete(party):
    """Whether the profile lacks what finds the applications of the old
    site: the passport of an individual, the name, INN (and KPP) of an
    organisation"""
    if party.person_kind == 'fl':
        return not (party.passport_series and party.passport_number)
    if party.person_kind == 'ul':
        return not (party.name and party.inn and party.kpp)
    return not (party.name and party.inn)


@bp.route('/my/meter-applications/new', methods=['GET', 'POST'])
@portal_view()
def meter_application_new():
    "«Выберите вид заявки»; the draft then opens on «Шаг 1. Вид заявки»"
    kinds = engine.section_kinds(SECTION)
    error = None
    if request.method == 'POST':
        chosen = [k for k in kinds if k.code == request.form.get('kind')]
        if chosen:
            return engine.create_application(chosen[0])
        error = _('Choose the kind of application.')
    return render_template(
        'lk_meters/application_new.html', kinds=kinds,
        error=error), 400 if error else 200


def request_step(application):
    "«Вид заявки»: Прошу осуществить (the kind) and В связи с (the reason)"
    pool = Pool()
    Application = pool.get('lk.application')
    kinds = engine.section_kinds(SECTION)
    if request.method == 'GET':
        form = RequestForm(formdata=None, kinds=kinds)
        form.kind.data = application.kind.id
        form.meter_reason.data = (
            application.meter_reason.id if application.meter_reason else None)
    else:
        form = RequestForm(kinds=kinds)
        if application.state != 'draft':
            # the kind of a submitted application stays
            form.kind.data = application.kind.id
    if form.validate_on_submit():
        values = {
            'meter_reason': form.meter_reason.data,
            'step': max(application.step or 0, 1),
            }
        if form.kind.data != application.kind.id:
            values['kind'] = form.kind.data
        try:
            Application.write([application], values)
        except (UserError, ValidationError) as exception:
            rollback()
            form.meter_reason.errors = [engine.refusal(exception)]
        else:
            return engine.after_save(Application(application.id), 'request')
    return render_template(
        'lk_meters/request_step.html', application=application,
        step='request', form=form, fields=engine.form_fields(form),
        required=application.required_fields('request'),
        kind_fixed=application.state != 'draft'), (
        400 if form.errors else 200)


engine.STEP_VIEWS['request'] = request_step
engine.SECTION_STEP_FORMS[(SECTION, 'object')] = MeterObjectForm
engine.SECTION_STEP_FORMS[(SECTION, 'technical')] = MeterTechnicalForm
engine.register_section(SECTION, 'lk_meters.meter_applications')
