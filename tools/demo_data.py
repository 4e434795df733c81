"""Load demo data: python -m tools.demo_data CONF DATABASE MODULE...

MODULE... are lk_* modules in dependency order; for each one activated in
DATABASE whose package has a ``demo`` submodule, ``demo.setup_demo()`` runs
as root in its own committed transaction (it is idempotent).
"""
import importlib
import importlib.util
import sys


def main(conf, database, *modules):
    from trytond import config
    config.update_etc(conf)
    from trytond.pool import Pool
    from trytond.transaction import Transaction

    Pool(database).init()
    with Transaction().start(database, 0, readonly=True):
        Module = Pool().get('ir.module')
        activated = {m.name for m in Module.search([
                    ('name', 'in', modules),
                    ('state', '=', 'activated'),
                    ])}
    for name in modules:
        package = f'trytond.modules.{name}.demo'
        if name not in activated or not importlib.util.find_spec(package):
            continue
        print(f'lk: demo data of {name}', file=sys.stderr, flush=True)
        demo = importlib.import_module(package)
        with Transaction().start(database, 0) as transaction:
            demo.setup_demo()
            transaction.commit()


if __name__ == '__main__':
    main(*sys.argv[1:])
