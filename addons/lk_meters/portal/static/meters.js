/* «Приборы учёта»: the consumption of each register as the client types
   the current reading (the server computes and checks it again). */
(function () {
  'use strict';

  function parse(text) {
    var value = (text || '').replace(/\s/g, '').replace(',', '.');
    if (!/^\d+(\.\d+)?$/.test(value)) { return null; }
    return parseFloat(value);
  }

  function format(value) {
    return (Math.round(value * 1000) / 1000).toLocaleString('ru-RU');
  }

  function update(row) {
    var input = row.querySelector('.reading-value');
    var rollover = row.querySelector('.rollover input');
    var output = row.querySelector('output.consumption');
    var high = row.querySelector('.warning-high');
    var below = row.querySelector('.warning-below');
    var previous = parse(row.dataset.previous);
    var capacity = parseFloat(row.dataset.capacity);
    var multiplier = parseFloat(row.dataset.multiplier) || 1;
    var usual = parse(row.dataset.usual);
    var factor = parseFloat(row.closest('form').dataset.highFactor) || 3;
    var value = parse(input.value);
    var consumption = null;
    below.hidden = true;
    high.hidden = true;
    if (value !== null && previous !== null) {
      if (value >= previous) {
        consumption = (value - previous) * multiplier;
      } else if (rollover.checked) {
        consumption = (value + capacity - previous) * multiplier;
      } else {
        below.hidden = false;
      }
    }
    output.textContent = consumption === null ? '' : format(consumption);
    if (consumption !== null && usual && consumption > usual * factor) {
      high.hidden = false;
    }
  }

  document.addEventListener('DOMContentLoaded', function () {
    var rows = document.querySelectorAll('.readings-form .reading-row');
    Array.prototype.forEach.call(rows, function (row) {
      row.querySelector('.reading-value').addEventListener(
        'input', function () { update(row); });
      row.querySelector('.rollover input').addEventListener(
        'change', function () { update(row); });
      update(row);
    });
    // a double click sends the form once
    Array.prototype.forEach.call(
      document.querySelectorAll('.readings-form'), function (form) {
        form.addEventListener('submit', function () {
          var button = form.querySelector('button[type=submit]');
          window.setTimeout(function () { button.disabled = true; }, 0);
        });
      });
  });
}());

/* «Вид заявки» of a meter application: «В связи с» offers the reasons of
   the kind chosen in «Прошу осуществить» (the server checks it again). */
(function () {
  'use strict';

  function update(form) {
    var checked = form.querySelector('input[name="kind"]:checked');
    var label = checked ? checked.parentNode.textContent.trim() : null;
    var select = form.querySelector('select[name="meter_reason"]');
    Array.prototype.forEach.call(
      select.querySelectorAll('optgroup'), function (group) {
        var shown = group.label === label;
        group.hidden = !shown;
        group.disabled = !shown;
        if (!shown && group.contains(select.selectedOptions[0])) {
          select.value = '';
        }
      });
  }

  document.addEventListener('DOMContentLoaded', function () {
    var select = document.querySelector('select[name="meter_reason"]');
    if (!select) { return; }
    var form = select.form;
    Array.prototype.forEach.call(
      form.querySelectorAll('input[name="kind"]'), function (radio) {
        radio.addEventListener('change', function () { update(form); });
      });
    update(form);
  });
}());
