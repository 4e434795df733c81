# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""A local sandbox of the BPC/RBS REST payment gateway, as a small WSGI
app speaking the protocol of `lk_payment.gateway.RbsGateway`:

- `POST /register.do` (userName, password, orderNumber, amount in
  kopecks, returnUrl, failUrl): `{"orderId", "formUrl"}`; an order number
  used already answers errorCode 1;
- `POST /getOrderStatusExtended.do` (orderId): `{"orderStatus"` 0
  registered, 2 paid, 3 reversed, 4 refunded, 5 3-DS, 6 declined,
  `"actionCode", "amount", "paymentAmountInfo": {"depositedAmount",
  "refundedAmount"}}`; an order left unpaid is declined (actionCode
  -2007, session expired) after `expire_after` status queries;
- `POST /refund.do` (orderId, amount) and `POST /reverse.do` (orderId);
- `GET /payment/<orderId>`: the card page where the tester chooses
  success, decline, 3-DS wait or abandon (`POST` of `outcome`, with
  `duplicate` and `delay` for the callbacks), then is sent to returnUrl
  or failUrl;
- callbacks `GET <callback>?mdOrder=…&orderNumber=…&operation=…&status=…
  &checksum=…` (HMAC-SHA256 with `secret`).

    python -m trytond.modules.lk_payment.standin.rbs --port 8010 \\
        --callback http://127.0.0.1:8001/lk_demo/lk_payment/rbs/callback \\
        --secret <[lk_payment] secret>
"""
import html
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field

import httpx
from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from trytond.modules.lk_base.standin import serve

from ..gateway import checksum

OUTCOMES = {
    'success': (2, 0, 'deposited', "Успешно"),
    'decline': (6, 116, 'declinedByTimeout', "Недостаточно средств"),
    '3ds': (5, 0, None, "Ожидание 3-D Secure"),
    }


@dataclass
class Sandbox:
    username: str = 'merchant'
    password: str = 'secret'
    secret: str = 'callback-key'
    callback: str = None
    base_url: str = 'http://127.0.0.1:8010'
    expire_after: int = 3
    delay: float = 0  # seconds before each answer (a slow bank)
    down: bool = False  # answer 503 to every API call
    orders: dict = field(default_factory=dict)
    sent: list = field(default_factory=list)  # the callbacks sent
    send = None  # callable(url) sending a callback; httpx GET if None

    url_map = Map([
            Rule('/register.do', endpoint='register', methods=['POST']),
            Rule('/getOrderStatusExtended.do', endpoint='status',
                methods=['POST']),
            Rule('/refund.do', endpoint='refund', methods=['POST']),
            Rule('/reverse.do', endpoint='reverse', methods=['POST']),
            Rule('/payment/<order_id>', endpoint='page',
                methods=['GET', 'POST']),
            ])

    def __call__(self, environ, start_response):
        request = Request(environ)
        try:
            endpoint, values = self.url_map.bind_to_environ(environ).match()
            if endpoint != 'page':
                if self.delay:
                    time.sleep(self.delay)
                if self.down:
                    raise_ = Response('unavailable', status=503)
                    return raise_(environ, start_response)
                if (request.form.get('userName') != self.username
                        or request.form.get('password') != self.password):
                    return self._json({'errorCode': '5',
                            'errorMessage': 'Access denied'})(
                        environ, start_response)
            response = getattr(self, endpoint)(request, **values)
        except HTTPException as exception:
            response = exception
        return response(environ, start_response)

    def _json(self, data):
        import json
        return Response(json.dumps(data, ensure_ascii=False),
            content_type='application/json')

    def _order(self, request):
        order = self.orders.get(request.form.get('orderId', ''))
        if order is None:
            raise NotFound()
        return order

    def register(self, request):
        form = request.form
        number = form.get('orderNumber')
        if not number or not form.get('amount', '').isdigit():
            return self._json({'errorCode': '4',
                    'errorMessage': 'Missing parameter'})
        if any(o['number'] == number for o in self.orders.values()):
            return self._json({'errorCode': '1',
                    'errorMessage': 'Order number already used'})
        order_id = str(uuid.uuid4())
        self.orders[order_id] = {
            'number': number, 'amount': int(form['amount']),
            'status': 0, 'action': 0, 'description': '', 'refunded': 0,
            'return': form.get('returnUrl'), 'fail': form.get('failUrl'),
            'text': form.get('description', ''), 'polls': 0,
            }
        return self._json({'orderId': order_id,
                'formUrl': '%s/payment/%s' % (self.base_url, order_id)})

    def status(self, request):
        order = self._order(request)
        order['polls'] += 1
        if order['status'] == 0 and order['polls'] > self.expire_after:
            order.update(status=6, action=-2007,
                description="Истекло время сессии")
        deposited = order['amount'] if order['status'] in {2, 4} or (
            order['refunded']) else 0
        return self._json({
                'errorCode': '0', 'orderNumber': order['number'],
                'orderStatus': order['status'], 'actionCode': order['action'],
                'actionCodeDescription': order['description'],
                'amount': order['amount'],
                'paymentAmountInfo': {
                    'depositedAmount': deposited,
                    'refundedAmount': order['refunded'],
                    },
                })

    def refund(self, request):
        order = self._order(request)
        amount = int(request.form.get('amount', 0))
        if order['status'] not in {2, 4} or not (
                0 < amount <= order['amount'] - order['refunded']):
            return self._json({'errorCode': '7',
                    'errorMessage': 'Refund amount exceeds'})
        order['refunded'] += amount
        if order['refunded'] == order['amount']:
            order['status'] = 4
        self.notify(order, 'refunded')
        return self._json({'errorCode': '0'})

    def reverse(self, request):
        order = self._order(request)
        if order['status'] != 2 or order['refunded']:
            return self._json({'errorCode': '7',
                    'errorMessage': 'Reversal is impossible'})
        order['status'] = 3
        self.notify(order, 'reversed')
        return self._json({'errorCode': '0'})

    # the card page and the tester's choices

    def pay(self, order_id, outcome, duplicate=False, delay=0):
        """Take the tester's choice for the order; return the URL the
        browser is sent to (none for abandon: the tab is closed)"""
        order = self.orders[order_id]
        if outcome == 'abandon':
            return None
        status, action, operation, text = OUTCOMES[outcome]
        order.update(status=status, action=action, description=text)
        if operation:
            for _ in range(2 if duplicate else 1):
                self.notify(order, operation, delay=delay)
        return order['return'] if status == 2 else (
            order['fail'] if status == 6 else None)

    def page(self, request, order_id):
        order = self.orders.get(order_id)
        if order is None:
            raise NotFound()
        if request.method == 'POST':
            target = self.pay(order_id, request.form.get('outcome'),
                duplicate=bool(request.form.get('duplicate')),
                delay=float(request.form.get('delay') or 0))
            if target:
                return redirect(target)
            return Response('<p>Заказ оставлен.</p>',
                content_type='text/html; charset=utf-8')
        amount = '%d,%02d' % divmod(order['amount'], 100)
        buttons = ''.join(
            '<button name="outcome" value="%s">%s</button> ' % (v, t)
            for v, t in [('success', "Оплатить (успех)"),
                ('decline', "Отказ банка"), ('3ds', "Ожидание 3-D Secure"),
                ('abandon', "Закрыть вкладку")])
        body = (
            '<!DOCTYPE html><html lang="ru"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width">'
            '<title>Платёжная страница (песочница)</title></head>'
            '<body><h1>Песочница платёжного шлюза</h1>'
            '<p>%s</p><p>Сумма: <b>%s руб.</b></p>'
            '<form method="post"><p><label><input type="checkbox" '
            'name="duplicate" value="1"> дублировать уведомление</label> '
            '<label>задержка, с <input name="delay" size="3" value="0">'
            '</label></p><p>%s</p></form></body></html>') % (
            html.escape(order['text']), amount, buttons)
        return Response(body, content_type='text/html; charset=utf-8')

    def notify(self, order, operation, delay=0):
        "Send the callback of operation (in a thread when delayed)"
        order_id = next(k for k, v in self.orders.items() if v is order)
        params = {'mdOrder': order_id, 'orderNumber': order['number'],
            'operation': operation, 'status': '1'}
        params['checksum'] = checksum(params, self.secret)
        if not self.callback and not self.send:
            return
        url = '%s?%s' % (self.callback or '', urllib.parse.urlencode(params))
        self.sent.append(params)

        def send():
            if delay:
                time.sleep(delay)
            try:
                if self.send:
                    self.send(url)
                else:
                    httpx.get(url, timeout=10)
            except httpx.HTTPError:
                pass  # a real bank retries; the polling catches up
        if delay:
            threading.Thread(target=send, daemon=True).start()
        else:
            send()


def main():
    serve(__doc__, 8010, {'--username': 'merchant', '--password': 'secret',
            '--secret': 'callback-key', '--callback': None},
        lambda args: Sandbox(username=args.username, password=args.password,
            secret=args.secret, callback=args.callback,
            base_url='http://%s:%d' % (args.host, args.port)),
        threaded=True)


if __name__ == '__main__':
    main()
