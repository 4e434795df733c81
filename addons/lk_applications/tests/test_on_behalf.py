# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""An operator acting on behalf of a client through the client's
application pages: the history names the operator with the client, the
records keep the references and the audit has a line per action."""
from trytond.modules.lk_base.tests.portal_fixtures import (
    branch_id, csrf, run_as_root, staff_login, text)

from .test_workflow_edges import make_application, read


def test_withdraw_on_behalf_is_attributed(portal_app, client, make_staff,
        make_client):
    khakassia = branch_id(portal_app, 'khakassia')
    account = make_client('fl', branch=khakassia)
    staff = make_staff(['group_lk_operator'], ['khakassia'])
    assert staff_login(client, staff).status_code == 302
    application_id = make_application(portal_app, account, 'incoming')
    response = client.post('/operator/clients/%s/act' % account.user_id,
        data={'csrf_token': csrf(client, '/operator/clients')})
    assert response.status_code == 302
    page = '/my/applications/%s' % application_id
    response = client.post(page + '/withdraw',
        data={'csrf_token': csrf(client, page)})
    assert response.status_code == 302
    assert read(portal_app, application_id)[0] == 'withdrawn'
    shown = text(client.get(page))
    assert '%s (оператор) от имени клиента' % staff.name in shown

    def get(pool):
        Application = pool.get('lk.application')
        Audit = pool.get('lk.operator.audit')
        application = Application(application_id)
        line = application.history[0]
        audit, = Audit.search([('web_user', '=', account.user_id)])
        return ((line.state, line.operator.id, line.web_user.id, line.staff),
            [(l.action, l.model, l.method) for l in audit.lines
                if l.action in {'request', 'button'}])
    history, audit = run_as_root(portal_app, get)
    assert history == ('withdrawn', staff.id, account.user_id, None)
    assert audit == [
        ('request', None, 'POST'),
        ('button', 'lk.application', 'withdraw'),
        ]
