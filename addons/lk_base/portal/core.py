# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The portal core shared by every module's blueprint.

- `transaction`: run a view in a Tryton transaction as the low-privilege
  portal user, with the logged-in client's parties in the context so that
  the record rules of the portal group apply.
- `login_required`, `current_party`: who is asking.
- `get_own_or_404`: the one access helper in front of every detail page.
- `paginate`: the one pager.
- `PortalRegistry`: menu entries and home cards that modules contribute,
  and the entries of the operators' «Администрирование» menu.

An operator acting on behalf of a client (see `operator`) uses the client
pages as the client would: the request's context gets that client's parties
and the operator's id, which lk records store and the audit logs.
"""
import functools
import math
import time
import types
import urllib.parse
from dataclasses import dataclass, field

from flask import (
    abort, current_app, flash, g, redirect, render_template, request,
    session, url_for)
from trytond.i18n import gettext as tryton_gettext
from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.transaction import Transaction

from ..operator import AUDIT_KEY, OPERATOR_KEY, PATH_KEY

SESSION_KEY = 'lk_sid'
# The key of the operator's lk.operator.session (never with SESSION_KEY)
STAFF_KEY = 'lk_staff'
ADMIN_GROUPS = ('lk_base.group_lk_admin',)
DEMO_GROUP = 'lk_base.group_lk_demo'
# Stands, in a tuple of groups, for every group marked «Operator Cabinet»
# (res.group lk_operator) by the module that declares it
OPERATOR = 'lk_operator'


@dataclass(order=True)
class MenuEntry:
    order: int
    key: str = field(compare=False)
    label: object = field(compare=False)
    endpoint: str = field(compare=False)
    children: list = field(default_factory=list, compare=False)
    groups: tuple = field(default=(), compare=False)


@dataclass(order=True)
class HomeCard:
    order: int
    key: str = field(compare=False)
    title: object = field(compare=False)
    description: object = field(compare=False)
    endpoint: str = field(compare=False)
    icon: str = field(compare=False)
    count: object = field(default=None, compare=False)
    count_domain: object = field(default=None, compare=False)


class PortalRegistry:
    "What the activated modules add to the portal's menu and home page"

    def __init__(self):
        self.menu = {}
        self.cards = []
        self.operator_menu = []

    def add_menu(self, key, label, endpoint, order, parent=None):
        entry = MenuEntry(order, key, label, endpoint)
        if parent:
            self.menu[parent].children.append(entry)
            self.menu[parent].children.sort()
        else:
            self.menu[key] = entry

    def add_card(self, key, title, description, endpoint, icon, order,
            count=None, count_domain=None):
        """count_domain: a callable returning (model name, domain) of the
        records the card's badge counts, in the home page's transaction
        (the badges of all cards are counted by one statement, see
        card_counts); count: a callable returning the number itself"""
        self.cards.append(HomeCard(order, key, title, description, endpoint,
                icon, count, count_domain))
        self.cards.sort()

    def card_counts(self):
        """[(card, count)] of the home page: the counts of every
        count_domain in one statement (see search_counts)"""
        with_domain = [c for c in self.cards if c.count_domain]
        counts = dict(zip(map(id, with_domain),
                search_counts([c.count_domain() for c in with_domain])))
        return [(card, counts[id(card)] if card.count_domain
                else card.count() if card.count else None)
            for card in self.cards]

    def menu_entries(self):
        return sorted(self.menu.values())

    def add_operator_menu(self, key, label, endpoint, order, groups=None):
        """An entry of the operators' «Администрирование» menu, shown to
        staff in one of groups ('module.xml_id'; any operator group if
        None)"""
        self.operator_menu.append(MenuEntry(
                order, key, label, endpoint,
                groups=tuple(groups or (OPERATOR,))))
        self.operator_menu.sort()


def search_counts(searches):
    """[search_count(domain) of model for (model name, domain) of searches],
    under the record rules, in one statement"""
    from sql import Literal, Union
    from sql.aggregate import Count
    if not searches:
        return []
    queries = [Pool().get(model).search(domain, order=[], query=True).select(
            Literal(i), Count(Literal(1)))
        for i, (model, domain) in enumerate(searches)]
    cursor = Transaction().connection.cursor()
    cursor.execute(*(Union(*queries, all_=True)
            if len(queries) > 1 else queries[0]))
    counts = dict(cursor)
    return [counts.get(i, 0) for i in range(len(searches))]


def registry():
    return current_app.extensions['lk_portal']


def load_staff(key):
    """What the layout and the views need of the staff session of key, or
    None (inside a transaction)"""
    pool = Pool()
    Session = pool.get('lk.operator.session')
    User = pool.get('res.user')
    Role = pool.get('lk.role')
    info = Session.info(key)
    if not info:
        return None
    info['groups'], operator = User.lk_staff_groups(info['user_id'])
    if operator:
        info['groups'].add(OPERATOR)
    with Transaction().set_user(info['user_id']):
        info['roles'] = Role.lk_names_of_staff()
    return types.SimpleNamespace(**info)


def request_staff():
    """The staff session of the request, or None: loaded once per request,
    in the request's transaction (see `run_in_transaction`)"""
    if '_lk_staff' not in g:
        key = session.get(STAFF_KEY)
        staff = None
        if key:
            with Transaction().set_context(language=_language()):
                staff = load_staff(key)
        g._lk_staff = staff
    g.staff = g._lk_staff
    return g.staff


def _client_setup():
    """(user, context) of a client page, in the request's transaction:
    the portal user, with who the client is"""
    pool = Pool()
    WebUser = pool.get('web.user')
    context = {}
    g.staff = None
    g.role_names = []
    visitor = None
    if session.get(STAFF_KEY):
        request_staff()
        acting = g.staff.acting_for if g.staff else None
        visitor = WebUser.lk_visitor(user_id=acting) if acting else None
        if visitor:
            context.update({
                    OPERATOR_KEY: g.staff.user_id,
                    AUDIT_KEY: g.staff.audit_id,
                    PATH_KEY: request.path,
                    })
    elif session.get(SESSION_KEY):
        visitor = WebUser.lk_visitor(key=session[SESSION_KEY])
    if visitor:
        g.web_user_id, g.party_ids = visitor['id'], visitor['parties']
        g.read_only = visitor['access'] == 'read_only'
    else:
        g.web_user_id, g.party_ids, g.read_only = None, [], False
    if g.party_ids:
        # for the layout, which error pages render outside the transaction
        g.greeting_name = visitor['greeting']
        g.role_names = visitor['roles']
        g.visitor_party = visitor['party']
    context['web_parties'] = g.party_ids
    context['web_user'] = g.web_user_id
    return _portal_user(), context


def _language():
    from flask_babel import get_locale
    return str(get_locale() or 'ru')


def _portal_user():
    return current_app.config['LK_PORTAL_USER']


WRITE_METHODS = {'PUT', 'POST', 'DELETE', 'PATCH'}


def run_in_transaction(readonly=None, setup=_client_setup):
    """Run the view in one Tryton transaction per request.

    The transaction starts as the portal user with the request's language;
    setup() then returns, from inside it, the (user, context) the view runs
    with: who the client or the staff member is costs no transaction of its
    own. Read only unless the method writes (PUT, POST, DELETE, PATCH).
    Like flask-tryton's Tryton.transaction: retried on a database
    operational error of a writing transaction, a user error answers 400,
    the queued tasks run after the commit when no worker does."""
    from trytond import backend
    from trytond.exceptions import (
        ConcurrencyException, UserError, UserWarning)
    from trytond.transaction import TransactionError
    from werkzeug.exceptions import BadRequest

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            if Transaction().database:
                # a view called from another: its transaction
                return _run(Transaction(), setup, view, args, kwargs)
            tryton = current_app.extensions['Tryton']
            database = current_app.config['TRYTON_DATABASE']
            is_readonly = (request.method not in WRITE_METHODS
                if readonly is None else readonly)
            base_context = {
                'language': _language(),
                '_request': {
                    'remote_addr': request.remote_addr,
                    'http_host': request.environ.get('HTTP_HOST'),
                    'scheme': request.scheme,
                    'is_secure': request.is_secure,
                    },
                }
            count, extras = 0, {}
            while True:
                if count:
                    time.sleep(0.02 * count)
                g.pop('_lk_staff', None)
                with Transaction().start(database, _portal_user(),
                        readonly=is_readonly, context=base_context,
                        **extras) as transaction:
                    try:
                        result = _run(transaction, setup, view, args, kwargs)
                    except TransactionError as e:
                        transaction.rollback()
                        transaction.tasks.clear()
                        e.fix(extras)
                        continue
                    except backend.DatabaseOperationalError:
                        if count < tryton.database_retry and not is_readonly:
                            transaction.rollback()
                            transaction.tasks.clear()
                            count += 1
                            continue
                        raise
                    except (UserError, UserWarning,
                            ConcurrencyException) as e:
                        raise BadRequest(e.message)
                if Transaction().database is None:
                    from trytond.worker import run_task
                    while transaction.tasks:
                        run_task(tryton.pool, transaction.tasks.pop())
                return result
        return wrapper
    return decorator


def _run(transaction, setup, view, args, kwargs):
    user, context = setup()
    # Transactions started outside the RPC dispatcher skip access rights
    # and record rules unless asked for them.
    context['_check_access'] = True
    with transaction.set_user(user), transaction.set_context(context):
        return view(*args, **kwargs)


def transaction(readonly=None):
    "Run the view in a Tryton transaction as the portal user"
    return run_in_transaction(readonly=readonly)


def login_required(view):
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if not g.get('web_user_id'):
            if g.get('staff'):
                # staff not acting on behalf of a client: their cabinet
                return redirect(url_for('lk_operator.home'))
            return redirect(url_for(
                    'lk_base.login', next=request.full_path.rstrip('?')))
        if not g.party_ids:
            # «Гость»: signed in, the public pages only
            return render_template('lk_base/guest.html'), 403
        if request.method == 'POST' and g.get('read_only'):
            # «Демо»: the ORM refuses the write anyway; say so before
            flash(tryton_gettext('lk_base.msg_demo_read_only'), 'error')
            return redirect(local_path(
                    referrer_path(), url_for('lk_base.home')))
        return view(*args, **kwargs)
    return wrapper


def audited(view):
    "Log the POSTs of an operator acting on behalf of the client"
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        context = Transaction().context
        if request.method == 'POST' and context.get(AUDIT_KEY):
            Audit = Pool().get('lk.operator.audit')
            Audit.log_request(context[AUDIT_KEY], 'POST', request.path)
        return view(*args, **kwargs)
    return wrapper


def portal_view(readonly=None):
    "A page of the logged-in client: transaction + login check"
    def decorator(view):
        return transaction(readonly=readonly)(login_required(audited(view)))
    return decorator


def current_party():
    pool = Pool()
    Party = pool.get('party.party')
    return Party(g.party_ids[0])


def selection_labels(model_name, name):
    """{value: label} of the Selection field name of model_name in the
    request's language, as record.<name>_string shows them.

    The `_string` descriptor asks fields_get() for the whole definition
    of the field at each read, per row of a list; here the labels of a
    field are taken once per request (kept in g, gone with it). Fields
    with a static selection only."""
    labels = g.setdefault('_lk_selections', {})
    key = (model_name, name, Transaction().language)
    if key not in labels:
        Model = Pool().get(model_name)
        labels[key] = dict(Model.fields_get([name])[name]['selection'])
    return labels[key]


def selection_label(record, name):
    "The label of the value of record's Selection field name"
    value = getattr(record, name)
    return selection_labels(record.__name__, name).get(value, value or '')


def current_web_user():
    pool = Pool()
    WebUser = pool.get('web.user')
    return WebUser(g.web_user_id)


def get_own_or_404(model_name, record_id):
    """Return the record if the client may read it, else abort with 404.

    The record rules of the portal group decide: another client's record
    is not found by the search, or refuses to be read."""
    Model = Pool().get(model_name)
    try:
        records = Model.search([('id', '=', int(record_id))], limit=1)
        if records:
            records[0].rec_name
            return records[0]
    except AccessError:
        pass
    abort(404)


# paginate counts the records of a list up to this number
COUNT_LIMIT = 1000


@dataclass
class Page:
    items: list
    page: int
    per_page: int
    total: int
    # total is a lower bound: the count stopped there (see paginate)
    more: bool = False

    @property
    def pages(self):
        return max(1, math.ceil(self.total / self.per_page))

    def url(self, page):
        args = request.args.to_dict()
        args['page'] = page
        return request.path + '?' + urllib.parse.urlencode(args)

    def window(self, size=2):
        start = max(1, self.page - size)
        end = min(self.pages, self.page + size)
        return range(start, end + 1)


def paginate(model_name, domain, order=None, per_page=None, total=None):
    """The page of records the request's ?page= asks for; total: the
    number of records of domain when the caller counted them already.

    The records are counted up to COUNT_LIMIT, or up to the pages after
    the one asked for when it lies further: a list of hundreds of thousands
    of records (the operators' lists) then costs a bounded count, and its
    total reads «более 1 000» (Page.more).

    The count is the ids of domain in no order, up to the limit. When they
    are all of them (a search that finds a few hundred clients among
    100 000), the page is taken from these ids in order: PostgreSQL then
    sorts the few rows it found by their indexes, where ORDER BY … LIMIT
    over the whole domain may walk the index of the order and filter each
    row (seen at 400 ms for a name of a branch). Still two statements."""
    Model = Pool().get(model_name)
    per_page = per_page or current_app.config['LK_PAGE_SIZE']
    try:
        page = max(1, int(request.args.get('page', 1)))
    except ValueError:
        page = 1
    limit = max(COUNT_LIMIT, (page + 2) * per_page)
    found = None
    if total is None:
        # only the ids, in no order (a search with a limit orders by id)
        query = Model.search(domain, order=[], query=True)
        cursor = Transaction().connection.cursor()
        cursor.execute(*query.select(query.id, limit=limit + 1))
        found = [i for i, in cursor]
        total = len(found)
    more = total > limit
    total = min(total, limit)
    page = min(page, max(1, math.ceil(total / per_page)))
    if found is not None and not more:
        if not found:
            return Page([], page, per_page, total, more)
        domain = [('id', 'in', found)]
    items = Model.search(
        domain, order=order, offset=(page - 1) * per_page, limit=per_page)
    return Page(items, page, per_page, total, more)


def form_filters(form):
    """{name: value} of the fields of a search form that hold a valid
    value: what the model's domain of the list is built from"""
    return {name: field.data for name, field in form._fields.items()
        if field.data not in (None, '', []) and not field.errors}


def rollback():
    "Undo what a failed form submission wrote before it failed"
    Transaction().rollback()


def client_ip():
    return request.remote_addr


def local_path(target, fallback, prefix='/'):
    """target if it is a path of this site under prefix, else fallback.

    The one check in front of every redirect to an address that came with
    the request (?next=, a form's next, the Referer). Only a path is
    accepted: no scheme, no host, no '//' or backslash that a browser reads
    as the start of a host, also when percent-encoded, and no control
    characters (browsers drop a tab, so '/<tab>/evil' would become
    '//evil')."""
    if not isinstance(target, str) or not target:
        return fallback
    decoded = target
    for _ in range(3):
        decoded = urllib.parse.unquote(decoded)
    for text in (target, decoded):
        if (not text.startswith('/') or text.startswith('//')
                or '\\' in text
                or any(ord(c) < 0x20 or ord(c) == 0x7f for c in text)):
            return fallback
    parts = urllib.parse.urlsplit(target)
    if parts.scheme or parts.netloc:
        return fallback
    prefix = prefix.rstrip('/')
    if prefix and not (
            parts.path == prefix or parts.path.startswith(prefix + '/')):
        return fallback
    return target


def referrer_path():
    "The path of the Referer when it is a page of this site, else None"
    target = request.referrer or ''
    host = request.host_url
    if target.startswith(host):
        return '/' + target[len(host):]
    return None


# The types a download may be shown in place (inline=True): the browser
# renders them itself and runs nothing in them; served with nosniff and
# the sandboxing policy of files (app.FILE_POLICY, app.PDF_POLICY).
INLINE_TYPES = {'application/pdf', 'image/png', 'image/jpeg'}


# A PDF shown in place in a frame of the portal's own page: framed by the
# portal itself only (the other files and pages are never framed)
PDF_FRAMED_POLICY = (
    "default-src 'none'; object-src 'self'; frame-ancestors 'self'")


def file_response(name, data, mimetype=None, inline=False, framed=False):
    """A stored file as a download.

    It is an attachment, which the browser saves and never renders in
    place, unless inline is asked for a type of INLINE_TYPES. framed: an
    inline PDF that a page of the portal shows in an iframe may be framed
    by the portal itself ('self'), by nobody else."""
    mimetype = mimetype or 'application/octet-stream'
    kind = 'inline' if inline and mimetype in INLINE_TYPES else 'attachment'
    disposition = "%s; filename*=UTF-8''%s" % (
        kind, urllib.parse.quote(name))
    headers = {
        'Content-Type': mimetype,
        'Content-Disposition': disposition,
        'X-Content-Type-Options': 'nosniff',
        }
    if framed and kind == 'inline' and mimetype == 'application/pdf':
        headers['Content-Security-Policy'] = PDF_FRAMED_POLICY
        headers['X-Frame-Options'] = 'SAMEORIGIN'
    return bytes(data), 200, headers
