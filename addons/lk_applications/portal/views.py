# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The client's applications: list, kind chooser, step form, page."""

from flask import (
    abort, flash, redirect, render_template, request, url_for)
from flask_babel import gettext as _

from trytond.exceptions import UserError
from trytond.model.exceptions import (
    AccessButtonError, AccessError, ValidationError)
from trytond.modules.lk_base.file import safe_filename
from trytond.modules.lk_base.portal.core import (
    current_party, current_web_user, file_response, get_own_or_404,
    paginate, portal_view, rollback)
from trytond.pool import Pool

from ..application import EDITABLE_STATES
from . import blueprint as bp
from .forms import STEP_FORMS, AssetForm, FilterForm, RemarkForm

ASSETS = 'asset_transfer'


def refusal(exception):
    """The message to show of a refused action: the model's own, in the
    user's language, or a plain one for Tryton's access checks, whose
    technical English says nothing to a client or an operator"""
    if (isinstance(exception, (AccessError, AccessButtonError))
            and type(exception).__module__.startswith('trytond.model')):
        return _('You are not allowed to do this.')
    return exception.message


def _states():
    pool = Pool()
    Application = pool.get('lk.application')
    return Application.fields_get(['state'])['state']['selection']


def _kind_groups():
    pool = Pool()
    Kind = pool.get('lk.application.kind')
    return dict(Kind.fields_get(['group'])['group']['selection'])


# the list page of each section of kinds (lk.application.kind.section);
# a module with a section of its own registers its list with register_section
SECTION_LISTS = {
    'connection': 'lk_applications.applications',
    'assets': 'lk_applications.asset_transfers',
    }


def register_section(section, endpoint):
    "The endpoint of the client's list of the applications of a section"
    SECTION_LISTS[section] = endpoint


@bp.app_template_global()
def section_list_url(application):
    "The list the application's page goes back to"
    return url_for(SECTION_LISTS.get(
            application.kind.section, 'lk_applications.applications'))


def section_list(section):
    """The filter form and the page of the client's applications of a
    section of kinds"""
    filter_form = FilterForm(request.args)
    filter_form.state.choices = [('', _('All'))] + [
        (k, v) for k, v in _states() if k]
    domain = [
        ('party', '=', current_party().id),
        ('kind.section', '=', section),
        ]
    filter_form.validate()
    domain += filter_form.domain()
    return filter_form, paginate('lk.application', domain)


def section_kinds(section):
    "The active kinds of a section offered in its chooser, in their order"
    Kind = Pool().get('lk.application.kind')
    return Kind.search([('section', '=', section), ('chooser', '=', True)])


@bp.route('/my/applications')
@portal_view()
def applications():
    filter_form, page = section_list('connection')
    return render_template(
        'lk_applications/applications.html', page=page,
        filter_form=filter_form)


@bp.route('/my/asset-transfers')
@portal_view()
def asset_transfers():
    filter_form, page = section_list('assets')
    return render_template(
        'lk_applications/asset_transfers.html', page=page,
        filter_form=filter_form)


@bp.route('/my/applications/new', methods=['GET', 'POST'])
@portal_view()
def new():
    kinds = section_kinds('connection')
    error = None
    if request.method == 'POST':
        chosen = [k for k in kinds if k.code == request.form.get('kind')]
        if chosen:
            return create_application(chosen[0])
        error = _('Choose the kind of application.')
    groups = {}
    for kind in kinds:
        groups.setdefault(kind.group, []).append(kind)
    return render_template(
        'lk_applications/new.html', groups=groups, error=error,
        group_names=_kind_groups()), 400 if error else 200


@bp.route('/my/asset-transfers/new', methods=['POST'])
@portal_view()
def asset_transfer_new():
    pool = Pool()
    Kind = pool.get('lk.application.kind')
    kinds = Kind.search([('code', '=', ASSETS)], limit=1)
    if not kinds:
        abort(404)
    return create_application(kinds[0])


def create_application(kind):
    "Create the client's draft of the kind and go to its first step"
    pool = Pool()
    Application = pool.get('lk.application')
    application = Application.create_draft(
        kind, current_party(), web_user=current_web_user())
    return redirect(url_for(
            'lk_applications.step', application_id=application.id,
            step=application.steps[0]))


def _editable_or_redirect(application):
    if application.state not in EDITABLE_STATES:
        flash(_('The application can no longer be changed.'), 'error')
        return redirect(url_for(
                'lk_applications.application', application_id=application.id))


@bp.route('/my/applications/<int:application_id>/edit/<step>',
    methods=['GET', 'POST'])
@portal_view()
def step(application_id, step):
    pool = Pool()
    Application = pool.get('lk.application')
    application = get_own_or_404('lk.application', application_id)
    if step not in application.steps:
        abort(404)
    response = _editable_or_redirect(application)
    if response:
        return response
    if step in STEP_VIEWS:
        return STEP_VIEWS[step](application)
    form_class = step_form(application, step)
    required = application.required_fields(step)
    kwargs = {}
    if step == 'object':
        kwargs['reason_required'] = 'reason' in required
    if request.method == 'GET':
        form = form_class(obj=application, **kwargs)
    else:
        form = form_class(**kwargs)
    if form.validate_on_submit():
        values = {name: form[name].data for name in form_fields(form)}
        values['step'] = max(
            application.step or 0, application.steps.index(step) + 1)
        try:
            Application.write([application], values)
        except (UserError, ValidationError) as exception:
            rollback()
            flash(refusal(exception), 'error')
        else:
            return after_save(application, step)
    status = 400 if form.errors else 200
    return render_template(
        'lk_applications/step.html', application=application, step=step,
        form=form, fields=form_fields(form), required=required), status


def step_form(application, step):
    """The form class of a step: the section's own (SECTION_STEP_FORMS,
    which modules extend) or the one of forms.STEP_FORMS"""
    return (SECTION_STEP_FORMS.get((application.kind.section, step))
        or STEP_FORMS[step])


def form_fields(form):
    return [f.name for f in form if f.name != 'csrf_token']


def after_save(application, step):
    if request.form.get('action') == 'save':
        flash(_('The draft is saved.'), 'success')
        target = step
    else:
        steps = application.steps
        target = steps[min(steps.index(step) + 1, len(steps) - 1)]
    return redirect(url_for(
            'lk_applications.step', application_id=application.id,
            step=target))


def _assets_step(application):
    """The list of transferred objects: «Выбрать» adds the object typed
    below the list, «×» removes one, «Далее» goes on when there is one"""
    pool = Pool()
    Application = pool.get('lk.application')
    form = AssetForm() if request.method == 'POST' else AssetForm(
        formdata=None)
    _asset_choices(form)
    action = request.form.get('action', '')
    error, status = None, 200
    if request.method == 'POST' and action.startswith('remove_'):
        asset_id = action[len('remove_'):]
        if asset_id not in {str(a.id) for a in application.assets}:
            abort(404)
        Application.write([application], {
                'assets': [('delete', [int(asset_id)])],
                })
        flash(_('The object is removed from the list.'), 'success')
        return redirect(_assets_url(application))
    if request.method == 'POST' and (action == 'add' or form.typed()):
        if not form.validate_on_submit():
            status = 400
        else:
            try:
                Application.write([application], {
                        'assets': [('create', [form.values()])],
                        })
            except (UserError, ValidationError) as exception:
                rollback()
                error, status = exception.message, 400
            else:
                if action == 'add':
                    flash(_('The object is added to the list.'), 'success')
                    return redirect(_assets_url(application))
        application = Application(application.id)
    if request.method == 'POST' and status == 200:
        if not application.assets:
            error, status = _('Add at least one transferred object.'), 400
        else:
            Application.write([application], {
                    'step': max(application.step or 0,
                        application.steps.index('assets') + 1),
                    })
            return after_save(application, 'assets')
    return render_template(
        'lk_applications/assets_step.html', application=application,
        step='assets', form=form, error=error), status


def _asset_choices(form):
    Asset = Pool().get('lk.application.asset')
    selection = Asset.fields_get(['kind', 'voltage'])
    form.kind.choices = [
        (k, v) for k, v in selection['kind']['selection'] if k]
    form.voltage.choices = [('', '—')] + [
        (k, v) for k, v in selection['voltage']['selection'] if k]


def _assets_url(application):
    return url_for('lk_applications.step', application_id=application.id,
        step='assets') + '#assets'


def _documents_step(application):
    pool = Pool()
    Application = pool.get('lk.application')
    errors = {}
    if request.method == 'POST':
        errors = _upload_checklist(application)
        if not errors and request.form.get('action') == 'submit':
            application = Application(application.id)
            try:
                Application.move_to([application], 'incoming')
            except (UserError, ValidationError) as exception:
                rollback()
                field = getattr(exception, 'field', None) or 'form'
                errors[field] = refusal(exception)
            else:
                flash(_('The application is submitted. We will notify you '
                        'when its status changes.'), 'success')
                return redirect(url_for(
                        'lk_applications.application',
                        application_id=application.id))
        if not errors:
            if request.form.get('action') != 'submit':
                flash(_('The documents are saved.'), 'success')
            return redirect(url_for(
                    'lk_applications.step', application_id=application.id,
                    step='documents'))
        application = Application(application.id)
    return render_template(
        'lk_applications/documents_step.html', application=application,
        step='documents', errors=errors,
        max_size=_max_size_mb()), 400 if errors else 200


# the steps with a view of their own, not a form of fields; a module adds
# the views of its steps here
STEP_VIEWS = {
    'documents': _documents_step,
    'assets': _assets_step,
    }
# (section, step): the form of a step for the kinds of a section
SECTION_STEP_FORMS = {}


def _max_size_mb():
    Document = Pool().get('lk.application.document')
    return Document.file_max_size() // (1024 * 1024)


def _upload_checklist(application):
    "Attach the uploaded scans; return {field: message} of the refused ones"
    pool = Pool()
    Application = pool.get('lk.application')
    errors = {}
    for item in application.checklist():
        name = 'document_%s' % item.code
        upload = request.files.get(name)
        if not upload or not upload.filename:
            continue
        try:
            Application.attach(
                application, item, safe_filename(upload.filename),
                upload.read())
        except (UserError, ValidationError) as exception:
            rollback()
            errors[name] = refusal(exception)
            return errors
    return errors


@bp.route('/my/applications/<int:application_id>')
@portal_view()
def application(application_id):
    record = get_own_or_404('lk.application', application_id)
    return _page(record)


def _page(record, remark_form=None, status=200):
    return render_template(
        'lk_applications/application.html', application=record,
        remark_form=remark_form or RemarkForm(),
        editable=record.state in EDITABLE_STATES), status


@bp.route('/my/applications/<int:application_id>/remark', methods=['POST'])
@portal_view()
def remark(application_id):
    record = get_own_or_404('lk.application', application_id)
    form = RemarkForm()
    status = add_remark(record, form)
    if status:
        return _page(
            get_own_or_404('lk.application', application_id), form, status)
    flash(_('Your remark is sent.'), 'success')
    return redirect(url_for(
            'lk_applications.application', application_id=record.id)
        + '#remarks')


def add_remark(record, form):
    """Add the remark of form to the application: None when it is added,
    else the status of the page showing the form again (a row added or
    removed without JavaScript, or an error next to its field)"""
    pool = Pool()
    Application = pool.get('lk.application')
    if form.edit_rows(request.form.get('action')):
        return 200
    if not form.validate_on_submit():
        return 400
    files = remark_files(form)
    if files is None:
        return 400
    try:
        Application.add_remark(record, form.text.data.strip(), files)
    except (UserError, ValidationError) as exception:
        rollback()
        form.text.errors.append(exception.message)
        return 400


def remark_files(form):
    """(name, bytes, description) of the files of the remark form, checked
    by the documents' rules; None if one is refused (its row says why)"""
    Document = Pool().get('lk.application.document')
    files, refused = [], False
    for row, upload in form.uploads():
        name, data = safe_filename(upload.filename), upload.read()
        try:
            Document.check_upload(name, data)
        except ValidationError as exception:
            row.form.file.errors = list(row.form.file.errors) + [
                exception.message]
            refused = True
        files.append((name, data, row.form.description.data or None))
    return None if refused else files


@bp.route('/my/applications/<int:application_id>/submit', methods=['POST'])
@portal_view()
def submit(application_id):
    return _move(application_id, 'incoming', _(
            'The application is submitted. We will notify you when its '
            'status changes.'))


@bp.route('/my/applications/<int:application_id>/withdraw', methods=['POST'])
@portal_view()
def withdraw(application_id):
    pool = Pool()
    Application = pool.get('lk.application')
    record = get_own_or_404('lk.application', application_id)
    list_url = section_list_url(record)  # read before the draft is gone
    try:
        deleted = Application.discard([record])
    except UserError as exception:
        rollback()
        flash(refusal(exception), 'error')
    else:
        if deleted:
            flash(_('The draft is deleted.'), 'success')
            return redirect(list_url)
        flash(_('The application is withdrawn.'), 'success')
    return redirect(url_for(
            'lk_applications.application', application_id=application_id))


@bp.route('/my/applications/<int:application_id>/fulfilled',
    methods=['POST'])
@portal_view()
def fulfilled(application_id):
    return _move(application_id, 'execution_notified', _(
            'The company is notified that the technical conditions are '
            'fulfilled.'))


def _move(application_id, state, done):
    "Take the client's edge to state; the model refuses, with its message"
    pool = Pool()
    Application = pool.get('lk.application')
    record = get_own_or_404('lk.application', application_id)
    try:
        Application.move_to([record], state)
    except (UserError, ValidationError) as exception:
        rollback()
        flash(refusal(exception), 'error')
    else:
        flash(done, 'success')
    return redirect(url_for(
            'lk_applications.application', application_id=application_id))


@bp.route('/my/applications/<int:application_id>/print')
@portal_view()
def print_(application_id):
    pool = Pool()
    Report = pool.get('lk.application', type='report')
    record = get_own_or_404('lk.application', application_id)
    ext, content, _direct, _name = Report.execute([record.id], {})
    filename = 'zayavka-%s.%s' % (record.number, ext)
    return bytes(content), 200, {
        'Content-Type': 'application/pdf' if ext == 'pdf' else 'text/html',
        'Content-Disposition': 'inline; filename="%s"' % filename,
        }


@bp.route('/my/applications/<int:application_id>/documents/<int:document_id>')
@portal_view()
def document(application_id, document_id):
    return send_document(application_id, document_id)


def send_document(application_id, document_id):
    "A document of an application the request may read, else 404"
    record = get_own_or_404('lk.application', application_id)
    document = get_own_or_404('lk.application.document', document_id)
    if document.application != record:
        abort(404)
    return file_response(
        document.download_name, document.data, document.mimetype)


@bp.app_template_global()
def document_accept():
    "The accept attribute of the inputs of application documents"
    return Pool().get('lk.application.document').file_accept()


@bp.app_template_global()
def application_steps(application):
    "(key, label) of the steps of the application's form"
    pool = Pool()
    Kind = pool.get('lk.application.kind')
    labels = dict(Kind.fields_get(['steps'])['steps']['selection'])
    return [(key, labels[key]) for key in application.steps]


@bp.app_template_global()
def step_of(field, application):
    "The step of the form where a field is typed"
    return application.step_of(field)


@bp.app_template_global()
def client_moves(application):
    "The states the user may move the application to from its page"
    return {e.target for e in application.allowed_edges()}
