/* Progressive enhancement of the application pages; every page works
   without it (the «+» and «×» buttons of a remark's files then submit the
   form, which comes back with a row more or less). */
(function () {
  'use strict';
  // A remark's files: one row per file, «+» adds a row, «×» removes one,
  // in place, so the files already chosen stay chosen.
  document.querySelectorAll('[data-remark-form]').forEach(function (form) {
    var list = form.querySelector('[data-file-rows]');
    if (!list) { return; }
    var max = parseInt(list.dataset.max, 10) || 10;
    var add = form.querySelector('[data-add-row]');

    function rows() { return list.querySelectorAll('[data-file-row]'); }

    function nextIndex() {
      var index = -1;
      rows().forEach(function (row) {
        var input = row.querySelector('input[type="file"]');
        var match = /-(\d+)-file$/.exec(input.name);
        if (match) { index = Math.max(index, parseInt(match[1], 10)); }
      });
      return index + 1;
    }

    function clear(row) {
      row.querySelectorAll('input').forEach(function (input) {
        input.value = '';
        input.removeAttribute('aria-invalid');
        input.removeAttribute('aria-describedby');
      });
      row.querySelectorAll('.error').forEach(function (p) { p.remove(); });
      row.querySelectorAll('.has-error').forEach(function (div) {
        div.classList.remove('has-error');
      });
    }

    function update() {
      if (!add) { return; }
      add.hidden = rows().length >= max;
    }

    if (add) {
      add.addEventListener('click', function (event) {
        event.preventDefault();
        var all = rows();
        if (all.length >= max) { return; }
        var row = all[all.length - 1].cloneNode(true);
        var index = nextIndex();
        clear(row);
        row.querySelectorAll('[name], [id], [for]').forEach(function (el) {
          ['name', 'id', 'for'].forEach(function (attribute) {
            var value = el.getAttribute(attribute);
            if (value) {
              el.setAttribute(attribute,
                value.replace(/-\d+-(file|description)$/, '-' + index + '-$1'));
            }
          });
        });
        var remove = row.querySelector('[data-remove-row]');
        remove.value = 'remove_row_' + index;
        list.appendChild(row);
        row.querySelector('input[type="file"]').focus();
        update();
      });
    }
    list.addEventListener('click', function (event) {
      var remove = event.target.closest('[data-remove-row]');
      if (!remove) { return; }
      event.preventDefault();
      var row = remove.closest('[data-file-row]');
      if (rows().length > 1) {
        row.remove();
      } else {
        clear(row);
      }
      update();
      (add && !add.hidden ? add : form.querySelector('textarea')).focus();
    });
    update();
  });
  // A transferred object: the length for a line, the capacity for a
  // substation (the server keeps only the one the kind needs).
  document.querySelectorAll('[data-asset-form]').forEach(function (form) {
    var kind = form.querySelector('select[name="kind"]');
    if (!kind) { return; }
    var lines = ['overhead_line', 'cable_line'];
    function update() {
      var length = form.querySelector('.asset-length');
      var capacity = form.querySelector('.asset-capacity');
      if (length) { length.hidden = lines.indexOf(kind.value) < 0; }
      if (capacity) { capacity.hidden = kind.value !== 'substation'; }
    }
    kind.addEventListener('change', update);
    update();
  });
})();
