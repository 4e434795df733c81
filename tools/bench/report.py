"""The output of a bench run: tables on stdout, var/bench/<timestamp>.json,
and the comparison with the previous JSON."""
import glob
import json
import os
import time

from ..common import var
from .pages import BARE, FLOOR, REFERENCES

TARGET_RATIO, TARGET_P95 = 0.30, 100


def print_counts(counts, scales):
    small, large = ('%g×' % s for s in scales)
    print(f"\nSQL statements per request (warm), data {small} and {large}"
        f" of scale 1")
    print(f"{'page':<44} {small:>8} {large:>8}")
    for name, values in counts.items():
        shown = ['—' if v is None else str(v) for v in values]
        flag = ''
        if None in values:
            flag = '  unexpected status'
        elif values[1] > values[0]:
            flag = '  GROWS with the data'
        print(f'{name:<44} {shown[0]:>8} {shown[1]:>8}{flag}', flush=True)


def print_load(results):
    pages = results.get('pages') or {}
    bare = (pages.get(BARE) or {}).get('rps') or 0
    floor = (pages.get(FLOOR) or {}).get('rps') or 0
    print(f"\nLoad: scale {results['scale']:g}, {results.get('clients')} "
        f"signed-in clients, {results.get('connections')} connections, "
        f"{results.get('duration')} s per page, gunicorn 2 workers")
    print(f"{'page':<44} {'req/s':>8} {'ratio':>6} {'floor':>6} "
        f"{'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}  notes")
    for name, r in pages.items():
        ratio = r['rps'] / bare if bare else 0
        to_floor = r['rps'] / floor if floor else 0
        notes = []
        if r['bad'] or r['errors']:
            notes.append(f"{r['bad']} unexpected, {r['errors']} errors")
        if name not in REFERENCES and (
                r['p95'] >= TARGET_P95):
            notes.append('p95 over target')
        print(f"{name:<44} {r['rps']:>8.1f} {ratio:>6.2f} {to_floor:>6.2f} "
            f"{r['p50']:>8.1f} {r['p95']:>8.1f} {r['p99']:>8.1f}  "
            f"{', '.join(notes)}")
    for name, r in pages.items():
        if r.get('counts'):
            print(f"\n{name}: {r['connections']} connections, counted in "
                'the database after the run')
            for label, value in r['counts'].items():
                print(f'  {label:<30} {value}')
            if r['counts']['mismatch']:
                print('  MISMATCH: readings lost or recorded twice')
    rss = results.get('rss')
    if rss:
        print(f"\nRSS of the portal workers over {rss['requests']} "
            'requests on /my')
        for worker in rss['workers']:
            start, end = worker['start_kib'], worker['end_kib']
            growth = (f'{(end - start) / 1024:+.1f} MiB'
                if start and end else '')
            print(f"  worker {worker['pid']}: "
                f"{_mib(start)} → {_mib(end)} {growth}")
    sys_flush()


def _mib(kib):
    return f'{kib / 1024:.1f} MiB' if kib else '—'


def sys_flush():
    import sys
    sys.stdout.flush()


def previous():
    paths = sorted(glob.glob(var('bench', '2*.json')))
    if paths:
        with open(paths[-1], encoding='utf-8') as fp:
            return paths[-1], json.load(fp)
    return None, None


def save(results):
    path_before, before = previous()
    os.makedirs(var('bench'), exist_ok=True)
    path = var('bench', time.strftime('%Y%m%d-%H%M%S') + '.json')
    with open(path, 'w', encoding='utf-8') as fp:
        json.dump(results, fp, ensure_ascii=False, indent=1)
    if before:
        compare(os.path.basename(path_before), before, results)
    return path


def compare(label, before, after):
    print(f'\nCompared with {label} (scale {before.get("scale")})')
    print(f"{'page':<44} {'req/s':>17} {'p95 ms':>17} {'statements':>12}")
    old_pages, new_pages = before.get('pages', {}), after.get('pages', {})
    old_counts, new_counts = before.get('counts', {}), after.get('counts', {})
    for name in list(new_pages) + [
            n for n in new_counts if n not in new_pages]:
        old, new = old_pages.get(name), new_pages.get(name)
        rps = p95 = count = ''
        if old and new:
            rps = f"{old['rps']:.0f} → {new['rps']:.0f}"
            p95 = f"{old['p95']:.0f} → {new['p95']:.0f}"
        if old_counts.get(name) and new_counts.get(name):
            count = f"{old_counts[name][0]} → {new_counts[name][0]}"
        if rps or count:
            print(f'{name:<44} {rps:>17} {p95:>17} {count:>12}')
    sys_flush()
