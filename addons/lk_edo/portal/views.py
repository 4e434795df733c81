# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The exchange of documents of an application in the portal."""
from flask import (
    abort, flash, redirect, render_template, request, url_for)
from flask_babel import gettext as _

from trytond.exceptions import UserError
from trytond.i18n import gettext as tryton_gettext
from trytond.model.exceptions import ValidationError
from trytond.modules.lk_applications.portal.views import refusal
from trytond.modules.lk_base.file import safe_filename
from trytond.modules.lk_base.portal.core import (
    current_party, file_response, get_own_or_404, portal_view, rollback,
    transaction)
from trytond.pool import Pool
from trytond.transaction import Transaction

from . import blueprint as bp
from .forms import (
    AddDocumentForm, CodeRequestForm, PhoneCodeForm, PhoneVerifyForm,
    RejectForm, SignForm, VerifyForm)


def _application(application_id):
    return get_own_or_404('lk.application', application_id)


def _document(application, document_id):
    document = get_own_or_404('lk.application.document', document_id)
    if document.application != application or not document.edo_type:
        abort(404)
    return document


def _edo_url(application):
    return url_for('lk_edo.documents', application_id=application.id)


def _doc_url(document, anchor=''):
    return url_for('lk_edo.document', application_id=document.application.id,
        document_id=document.id) + anchor


def _client_types():
    Type = Pool().get('lk.edo.document.type')
    return Type.search([('by_client', '=', True)])


@bp.route('/my/applications/<int:application_id>/edo')
@portal_view()
def documents(application_id):
    application = _application(application_id)
    return _table(application, AddDocumentForm())


def _table(application, form, status=200):
    pool = Pool()
    Document = pool.get('lk.application.document')
    Supply = pool.get('lk.edo.supply')
    supplies = Supply.search([('application', '=', application.id)],
        order=[('id', 'DESC')], limit=1)
    documents = Document.search([
            ('application', '=', application.id),
            ('edo_type', '!=', None),
            ('current', '=', True),
            ('edo_state', '!=', 'draft'),
            ], order=[('create_date', 'ASC'), ('id', 'ASC')])
    return render_template(
        'lk_edo/documents.html', application=application,
        documents=documents, form=form, may_add=bool(_client_types()),
        supply=supplies[0] if supplies else None,
        accept=Document.file_accept()), status


@bp.route('/my/applications/<int:application_id>/edo/add', methods=['POST'])
@portal_view()
def add(application_id):
    "The client's own document («+ Добавить документ»)"
    pool = Pool()
    Document = pool.get('lk.application.document')
    application = _application(application_id)
    form = AddDocumentForm()
    types = _client_types()
    if not types:
        abort(404)
    if not form.validate_on_submit():
        return _table(application, form, 400)
    upload = form.file.data
    name, data = safe_filename(upload.filename), upload.read()
    try:
        document = Document.edo_create(
            application, types[0], name=name, data=data,
            description=form.description.data or None)
        Document._edo_set_state([document], 'sent')
    except (UserError, ValidationError) as exception:
        rollback()
        form.file.errors = list(form.file.errors) + [exception.message]
        return _table(application, form, 400)
    flash(_('The document is added.'), 'success')
    return redirect(_edo_url(application))


@bp.route('/my/applications/<int:application_id>/edo/<int:document_id>')
@portal_view()
def document(application_id, document_id):
    document = _document(_application(application_id), document_id)
    if document.edo_state == 'draft':
        abort(404)
    return _page(document)


def _page(document, code_form=None, sign_form=None, reject_form=None,
        phone_form=None, status=200):
    pool = Pool()
    Rules = pool.get('lk.edo.rules')
    Code = pool.get('lk.edo.code')
    party = document.application.party
    signable = (document.edo_type.client_signs and document.current
        and document.edo_state == 'sent')
    active = Code.active(party, 'sign', document) if signable else None
    return render_template(
        'lk_edo/document.html', document=document,
        application=document.application, party=party,
        signable=signable, active_code=active,
        phone_code=Code.active(party, 'phone'),
        rules=Rules.current(),
        on_behalf=bool(Transaction().context.get('_lk_operator')),
        code_form=code_form or CodeRequestForm(),
        sign_form=sign_form or SignForm(),
        reject_form=reject_form or RejectForm(),
        phone_form=phone_form or PhoneVerifyForm(),
        versions=document.versions()), status


@bp.route('/my/applications/<int:application_id>/edo/<int:document_id>/file')
@portal_view()
def file(application_id, document_id):
    document = _document(_application(application_id), document_id)
    if document.edo_state == 'draft':
        abort(404)
    # the document page shows it in an iframe: the portal may frame it
    return file_response(
        document.download_name, document.data, document.mimetype,
        inline=True, framed=True)


@bp.route('/my/applications/<int:application_id>/edo/<int:document_id>'
    '/signature/<int:signature_id>')
@portal_view()
def stamped(application_id, document_id, signature_id):
    document = _document(_application(application_id), document_id)
    signature = get_own_or_404('lk.edo.signature', signature_id)
    if signature.document != document:
        abort(404)
    return file_response(
        signature.stamped_name, signature.stamped, 'application/pdf',
        inline=True)


@bp.route('/my/applications/<int:application_id>/edo/<int:document_id>'
    '/company-signature/<int:signature_id>')
@portal_view()
def company_signature(application_id, document_id, signature_id):
    document = _document(_application(application_id), document_id)
    signature = get_own_or_404('lk.edo.company.signature', signature_id)
    if signature.document != document:
        abort(404)
    return file_response(
        signature.download_name, signature.data, signature.mimetype)


@bp.route('/my/edo/phone/code', methods=['POST'])
@portal_view()
def phone_code():
    Code = Pool().get('lk.edo.code')
    PhoneCodeForm().validate_on_submit() or abort(400)
    try:
        Code.send_phone_code(current_party())
    except UserError as exception:
        rollback()
        flash(refusal(exception), 'error')
    else:
        flash(_('The code is sent to your mobile.'), 'success')
    return _back()


@bp.route('/my/edo/phone/verify', methods=['POST'])
@portal_view()
def phone_verify():
    Code = Pool().get('lk.edo.code')
    form = PhoneVerifyForm()
    if not form.validate_on_submit():
        flash(form.code.errors[0], 'error')
        return _back()
    error = Code.verify_phone(current_party(), form.code.data)
    if error:
        flash(tryton_gettext(error), 'error')
    else:
        flash(_('Your mobile is confirmed.'), 'success')
    return _back()


def _back():
    from trytond.modules.lk_base.portal.core import local_path
    return redirect(local_path(
            request.form.get('next'), url_for('lk_base.home'), '/my/'))


@bp.route('/my/applications/<int:application_id>/edo/<int:document_id>/code',
    methods=['POST'])
@portal_view()
def code(application_id, document_id):
    Signature = Pool().get('lk.edo.signature')
    document = _document(_application(application_id), document_id)
    form = CodeRequestForm()
    if not form.validate_on_submit():
        return _page(document, code_form=form, status=400)
    try:
        Signature.request_code(document)
    except UserError as exception:
        rollback()
        flash(refusal(exception), 'error')
        return redirect(_doc_url(document, '#sign'))
    flash(_('The code is sent by SMS. It is valid for 5 minutes.'),
        'success')
    return redirect(_doc_url(document, '#sign'))


@bp.route('/my/applications/<int:application_id>/edo/<int:document_id>/sign',
    methods=['POST'])
@portal_view()
def sign(application_id, document_id):
    pool = Pool()
    Signature = pool.get('lk.edo.signature')
    Rules = pool.get('lk.edo.rules')
    document = _document(_application(application_id), document_id)
    form = SignForm()
    if not form.validate_on_submit():
        return _page(document, sign_form=form, status=400)
    try:
        result = Signature.sign(
            document, form.code.data, Rules.current(),
            remote_addr=request.remote_addr,
            user_agent=request.headers.get('User-Agent'))
    except UserError as exception:
        rollback()
        flash(refusal(exception), 'error')
        return redirect(_doc_url(document, '#sign'))
    if isinstance(result, str):
        # the wrong try is kept: no rollback
        form.code.errors = [tryton_gettext(result)]
        return _page(document, sign_form=form, status=400)
    flash(_('The document is signed.'), 'success')
    return redirect(_doc_url(document))


@bp.route('/my/applications/<int:application_id>/edo/<int:document_id>'
    '/reject', methods=['POST'])
@portal_view()
def reject(application_id, document_id):
    document = _document(_application(application_id), document_id)
    form = RejectForm()
    if not form.validate_on_submit():
        return _page(document, reject_form=form, status=400)
    try:
        document.edo_reject(form.comment.data)
    except UserError as exception:
        rollback()
        form.comment.errors = [refusal(exception)]
        return _page(document, reject_form=form, status=400)
    flash(_('The refusal is sent to the company.'), 'success')
    return redirect(_doc_url(document))


@bp.route('/edo/verify', methods=['GET', 'POST'])
@transaction()
def verify():
    "Public: does a PDF or a signature ID match a signed version?"
    Signature = Pool().get('lk.edo.signature')
    form = VerifyForm(meta={'csrf': request.method == 'POST'})
    result, checked = None, False
    number = request.args.get('number') if request.method == 'GET' else None
    if number:
        form.number.data = number
        result, checked = Signature.verify(number=number[:32]), True
    elif request.method == 'POST' and form.validate_on_submit():
        upload = form.file.data
        if upload and upload.filename:
            result, checked = Signature.verify(data=upload.read()), True
        elif form.number.data:
            result, checked = Signature.verify(
                number=form.number.data), True
        else:
            form.number.errors = [_('Upload the PDF or enter the signature '
                    'ID.')]
    elif request.method == 'POST':
        return render_template('lk_edo/verify.html', form=form,
            result=None, checked=False), 400
    return render_template(
        'lk_edo/verify.html', form=form, checked=checked,
        result=result.public_facts() if result else None)


@bp.route('/my/applications/<int:application_id>/edo/supply',
    methods=['POST'])
@portal_view()
def supply(application_id):
    "The client asks for the energy supply contract"
    Supply = Pool().get('lk.edo.supply')
    application = _application(application_id)
    try:
        contract = Supply.request(application)
    except UserError as exception:
        rollback()
        flash(refusal(exception), 'error')
        return redirect(_edo_url(application))
    flash(_('The supply contract is ready: read and sign it.'), 'success')
    return redirect(_doc_url(contract.document, '#sign'))
