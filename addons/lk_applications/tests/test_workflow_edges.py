# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Every edge of the applications' workflow, from every place that takes it:
the table of edges, the buttons' PYSON and groups, the model, the operator's
page, the board and the client's page; who may take what and the Russian
refusals."""
from decimal import Decimal

import pytest

from trytond.model.exceptions import AccessButtonError, AccessError
from trytond.modules.lk_applications.application import (
    EDGES, STATES, button_states)
from trytond.modules.lk_base.tests.portal_fixtures import (
    csrf, login, run_as_root, staff_login, text)
from trytond.pyson import PYSONDecoder, PYSONEncoder

COMMENT = 'Комментарий для клиента'
PDF = b'%PDF-1.4\n%%EOF\n'
COMPLETE = {
    'applicant_name': 'Хакасов Иван', 'applicant_phone': '+79001234567',
    'applicant_email': 'client@example.ru', 'postal_address': 'Абакан',
    'object_name': 'Жилой дом', 'object_address': 'Абакан',
    'reason': 'Расторжение договора',
    'max_power': 15, 'voltage': '0.22', 'reliability': '3',
    'load_character': 'Бытовая', 'industry': 'Население',
    'supplier': 'Энергосбыт',
    }
REFUSED_COMMENT = 'Заполните замечание к заявке'
STAFF_EDGES = [e for e in EDGES if not e.client]
CLIENT_ROUTES = {
    'withdraw': 'withdraw',
    'notify_execution': 'fulfilled',
    }


def edge_id(edge):
    return '%s-%s' % (edge.source, edge.target)


def kind_code(edge):
    return 'contract_termination' if edge.workflow == 'short' else (
        'new_connection')


def make_application(app, account, state, code='new_connection',
        max_power=None):
    """A complete application of the client's party put in state by root:
    of 15 kW, but of 200 kW at «Договор отправлен», a contract to sign (an
    offer is concluded by paying its invoice, not by hand: lk_payment's
    test_offer_not_concluded_by_hand)"""
    power = max_power or (
        200 if state == 'contract_sent' else COMPLETE['max_power'])

    def create(pool):
        Application = pool.get('lk.application')
        Kind = pool.get('lk.application.kind')
        WebUser = pool.get('web.user')
        kind, = Kind.search([('code', '=', code)])
        web_user = WebUser(account.user_id)
        application = Application.create_draft(
            kind, web_user.party, web_user)
        Application.write([application], dict(COMPLETE,
                max_power=Decimal(power)))
        for item in application.checklist():
            Application.attach(application, item, item.code + '.pdf', PDF)
        if state != 'draft':
            Application.write([application], {'state': state})
        return application.id
    return run_as_root(app, create)


def read(app, application_id):
    "The state, the number of history lines and the remarks' texts"
    def get(pool):
        Application = pool.get('lk.application')
        application = Application(application_id)
        return (application.state, len(application.history),
            [r.text for r in application.remarks])
    return run_as_root(app, get)


def move(client, application_id, state, comment='', next_=None):
    page = '/operator/applications/%s' % application_id
    data = {'state': state, 'comment': comment,
        'csrf_token': csrf(client, next_ or page)}
    if next_:
        data['next'] = next_
    return client.post(page + '/move', data=data)


@pytest.mark.parametrize('workflow', ['full', 'short'])
@pytest.mark.parametrize('state', [s for s, _ in STATES])
def test_buttons_show_exactly_the_edges(state, workflow):
    "The PYSON of every button is generated from its edges"
    decoder = PYSONDecoder({'state': state, 'workflow': workflow})
    methods = {e.method for e in EDGES}
    for method in methods:
        states = button_states(method)
        invisible = decoder.decode(PYSONEncoder().encode(states['invisible']))
        expected = any(e.method == method and e.source == state
            and e.workflow in {None, workflow} for e in EDGES)
        assert (not invisible) == expected, (method, state, workflow)


def test_button_groups_agree_with_the_edges(portal_app):
    "The portal group has the buttons of the client's edges only; operators "
    "and the super administrator have every button"
    def get(pool):
        Button = pool.get('ir.model.button')
        ModelData = pool.get('ir.model.data')
        ids = {g: ModelData.get_id('lk_base', g) for g in [
                'group_portal', 'group_lk_operator', 'group_lk_admin',
                'group_lk_demo']}
        return ids, {m: Button.get_groups('lk.application', m)
            for m in {e.method for e in EDGES}}
    ids, groups = run_as_root(portal_app, get)
    for edge in EDGES:
        button = groups[edge.method]
        assert ids['group_lk_operator'] in button, edge
        assert ids['group_lk_admin'] in button, edge
        assert ids['group_lk_demo'] not in button, edge
        client_methods = {e.method for e in EDGES if e.client}
        assert (ids['group_portal'] in button) == (
            edge.method in client_methods), edge


def test_other_button_than_the_edges_is_refused(portal_app, make_client):
    "The defect of the board: start_execution moved «Проверка выполнения "
    "ТУ» back to «Выполнение ТУ» without the comment return_execution needs"
    account = make_client('fl')
    application_id = make_application(portal_app, account, 'execution_check')

    def run(pool):
        from trytond.modules.lk_applications.exceptions import (
            ApplicationError)
        Application = pool.get('lk.application')
        application = Application(application_id)
        with pytest.raises(ApplicationError) as info:
            Application.start_execution([application])
        assert 'другим действием' in info.value.message \
            or 'by another action' in info.value.message
        with pytest.raises(ApplicationError):
            Application.move_to([application], 'execution')
        Application.move_to([application], 'execution', comment=COMMENT)
        return Application(application_id).state
    assert run_as_root(portal_app, run) == 'execution'


def edge_class(edge):
    "What makes the operator's page treat edges differently"
    return (edge.comment, edge.workflow, edge.client)


# one edge of each class: taken through the page and the board below, all
# of them by the model (move_to, what the move form calls) and offered on
# the page (test_operator_page_offers_every_edge)
PORTAL_SAMPLE = list({edge_class(e): e for e in reversed(EDGES)}.values())


@pytest.mark.parametrize('source, code', sorted({
            (e.source, kind_code(e)) for e in EDGES}))
def test_operator_page_offers_every_edge(portal_app, client, operator,
        khakassia_client, source, code):
    "The move form of an application offers every edge from its state"
    application_id = make_application(
        portal_app, khakassia_client, source, code)
    form = text(client.get('/operator/applications/%s' % application_id))
    for edge in EDGES:
        if edge.source == source and kind_code(edge) == code:
            assert '<option value="%s"' % edge.target in form, edge


@pytest.mark.parametrize('edge', EDGES, ids=edge_id)
def test_operator_takes_every_edge_by_the_model(portal_app, make_staff,
        khakassia_client, edge):
    "What the move form calls, as the operator, without and with a comment"
    from trytond.exceptions import UserError
    from trytond.model.exceptions import ValidationError
    from trytond.transaction import Transaction
    staff = make_staff(['group_lk_operator'], ['khakassia'])
    for with_comment in [True, False]:
        application_id = make_application(
            portal_app, khakassia_client, edge.source, kind_code(edge))
        before = read(portal_app, application_id)

        def take(pool):
            Application = pool.get('lk.application')
            try:
                Application.move_to([Application(application_id)],
                    edge.target, comment=COMMENT if with_comment else '')
            except (UserError, ValidationError) as exception:
                Transaction().rollback()  # as the move form does
                return exception.message
        with_context = {'_check_access': True, 'language': 'ru'}
        refused = run_as(portal_app, staff.id, take, with_context)
        state, history, remarks = before
        if edge.comment and not with_comment:
            assert REFUSED_COMMENT in (refused or ''), edge
            assert read(portal_app, application_id) == before
        else:
            assert refused is None, refused
            assert read(portal_app, application_id) == (
                edge.target, history + 1,
                [COMMENT] + remarks if with_comment else remarks)


@pytest.mark.parametrize('place', ['page', 'board'])
@pytest.mark.parametrize('with_comment', [True, False])
@pytest.mark.parametrize('edge', PORTAL_SAMPLE, ids=edge_id)
def test_operator_takes_every_edge(portal_app, client, operator,
        khakassia_client, edge, with_comment, place):
    application_id = make_application(
        portal_app, khakassia_client, edge.source, kind_code(edge))
    page = '/operator/applications/%s' % application_id
    form = text(client.get(page))
    assert '<option value="%s"' % edge.target in form
    state, history, remarks = read(portal_app, application_id)
    next_ = '/operator/applications/board' if place == 'board' else None
    response = move(client, application_id, edge.target,
        comment=COMMENT if with_comment else '', next_=next_)
    assert response.status_code == 302
    if place == 'board':
        assert response.headers['Location'].endswith(
            '/operator/applications/board')
    shown = text(client.get(response.headers['Location']))
    if edge.comment and not with_comment:
        assert REFUSED_COMMENT in shown
        assert read(portal_app, application_id) == (state, history, remarks)
    else:
        assert read(portal_app, application_id) == (
            edge.target, history + 1,
            [COMMENT] + remarks if with_comment else remarks)


@pytest.mark.parametrize('edge', [e for e in EDGES if e.workflow],
    ids=edge_id)
def test_edge_of_the_other_workflow_is_refused(portal_app, client, operator,
        khakassia_client, edge):
    other = 'new_connection' if edge.workflow == 'short' else (
        'contract_termination')
    application_id = make_application(
        portal_app, khakassia_client, edge.source, other)
    page = text(client.get('/operator/applications/%s' % application_id))
    assert '<option value="%s"' % edge.target not in page
    before = read(portal_app, application_id)
    response = move(client, application_id, edge.target, comment=COMMENT)
    assert 'alert' in text(client.get(response.headers['Location']))
    assert read(portal_app, application_id) == before


def test_move_form_offers_only_the_allowed_edges(portal_app, client,
        operator, khakassia_client):
    application_id = make_application(
        portal_app, khakassia_client, 'incoming')
    page = text(client.get('/operator/applications/%s' % application_id))
    offered = set(page.split('class="move-form')[1].split(
            'name="state"')[1].split('</select>')[0].split('"')[1::2])
    assert offered >= {'accepted', 'documents_requested', 'withdrawn',
        'rejected'}
    assert 'closed' not in offered and 'connected' not in offered


def test_demo_is_offered_no_move(portal_app, client, make_staff,
        khakassia_client):
    staff = make_staff(['group_lk_demo'], ['khakassia'])
    assert staff_login(client, staff).status_code == 302
    application_id = make_application(
        portal_app, khakassia_client, 'incoming')
    page = text(client.get('/operator/applications/%s' % application_id))
    assert 'class="move-form' not in page
    board = text(client.get('/operator/applications/board'))
    assert 'Хакасов' in board
    assert 'class="move-form' not in board


@pytest.mark.parametrize('target, comment', [
        ('accepted', ''),
        ('documents_requested', COMMENT),
        ('rejected', COMMENT),
        ])
def test_super_administrator_moves_applications(portal_app, client, admin,
        khakassia_client, target, comment):
    """Was: «Calling button "request_documents on "Заявка" is not
    allowed.»"""
    application_id = make_application(
        portal_app, khakassia_client, 'incoming')
    page = text(client.get('/operator/applications/%s' % application_id))
    assert '<option value="%s"' % target in page
    response = move(client, application_id, target, comment=comment)
    shown = text(client.get(response.headers['Location']))
    assert 'is not allowed' not in shown
    assert read(portal_app, application_id)[0] == target


@pytest.mark.parametrize('exception', [
        AccessButtonError('Calling button "x on "y" is not allowed.'),
        AccessError('You are not allowed to write to records "1".'),
        ])
def test_tryton_access_refusals_are_russian(portal_app, exception):
    from trytond.modules.lk_applications.portal.views import refusal
    with portal_app.test_request_context(headers={'Accept-Language': 'ru'}):
        message = refusal(exception)
    assert message == 'У вас нет права на это действие.'


@pytest.mark.parametrize('edge', [e for e in EDGES if e.method in
        CLIENT_ROUTES], ids=edge_id)
def test_client_takes_its_edges(portal_app, client, khakassia_client, edge):
    application_id = make_application(
        portal_app, khakassia_client, edge.source, kind_code(edge))
    assert login(client, khakassia_client).status_code == 302
    page = '/my/applications/%s' % application_id
    assert ('/%s"' % CLIENT_ROUTES[edge.method]) in text(client.get(page))
    response = client.post('%s/%s' % (page, CLIENT_ROUTES[edge.method]),
        data={'csrf_token': csrf(client, page)})
    assert response.status_code == 302
    assert read(portal_app, application_id)[0] == edge.target


@pytest.mark.parametrize('state', ['incoming', 'accepted', 'execution_check'])
def test_client_cannot_take_staff_edges(portal_app, client, khakassia_client,
        state):
    "The fulfilment notice is refused with the model's Russian message "
    "where the client has no such edge"
    application_id = make_application(portal_app, khakassia_client, state)
    assert login(client, khakassia_client).status_code == 302
    page = '/my/applications/%s' % application_id
    assert '/fulfilled"' not in text(client.get(page))
    response = client.post(page + '/fulfilled',
        data={'csrf_token': csrf(client, page)})
    shown = text(client.get(response.headers['Location']))
    assert 'нельзя перевести из статуса' in shown
    assert read(portal_app, application_id)[0] == state


def test_client_deletes_a_draft_and_withdraws_the_others(portal_app, client,
        khakassia_client):
    draft = make_application(portal_app, khakassia_client, 'draft')
    incoming = make_application(portal_app, khakassia_client, 'incoming')
    assert login(client, khakassia_client).status_code == 302
    for application_id in [draft, incoming]:
        page = '/my/applications/%s' % application_id
        client.post(page + '/withdraw',
            data={'csrf_token': csrf(client, page)})

    def get(pool):
        Application = pool.get('lk.application')
        return [a.state for a in Application.browse(
                Application.search([('id', 'in', [draft, incoming])]))]
    assert run_as_root(portal_app, get) == ['withdrawn']


def run_as(app, user_id, function, context=None):
    "Run function() as the staff user with access checks, committed"
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    with Transaction().start(app.config['TRYTON_DATABASE'], user_id,
            context=context or {'_check_access': True}) as transaction:
        result = function(Pool())
        transaction.commit()
    return result


@pytest.mark.parametrize('with_comment', [True, False])
@pytest.mark.parametrize('edge', EDGES, ids=edge_id)
def test_back_office_button_takes_its_edge(portal_app, make_staff,
        khakassia_client, edge, with_comment):
    "The back office's way: the button of the edge, as sao calls it"
    from trytond.modules.lk_applications.exceptions import ApplicationError
    staff = make_staff(['group_lk_operator'], ['khakassia'])
    application_id = make_application(
        portal_app, khakassia_client, edge.source, kind_code(edge))

    def click(pool):
        Application = pool.get('lk.application')
        application = Application(application_id)
        if with_comment:
            application.status_comment = COMMENT
            application.save()
        try:
            getattr(Application, edge.method)([application])
        except ApplicationError:
            return 'refused'
        return Application(application_id).state
    state = run_as(portal_app, staff.id, click)
    if edge.comment and not with_comment:
        assert state == 'refused'
    else:
        assert state == edge.target


def test_steps_and_required_fields_come_from_the_model(portal_app,
        khakassia_client):
    "Without technical data the statement is required on the object step"
    short_id = make_application(
        portal_app, khakassia_client, 'draft', 'contract_termination')
    full_id = make_application(portal_app, khakassia_client, 'draft')

    def get(pool):
        Application = pool.get('lk.application')
        short, full = Application(short_id), Application(full_id)
        return (short.steps, short.required_fields('object'),
            full.required_fields('object'), full.step_of('voltage'),
            short.step_of('reason'))
    short_steps, short_object, full_object, voltage, reason = run_as_root(
        portal_app, get)
    assert 'technical' not in short_steps
    assert 'reason' in short_object
    assert 'reason' not in full_object
    assert voltage == 'technical'
    assert reason == 'object'
