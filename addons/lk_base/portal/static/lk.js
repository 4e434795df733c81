/* Progressive enhancement of the portal's forms; every page works
   without it. */
(function () {
  'use strict';
  // «Вид лица»: show only the chosen kind's fields.
  document.querySelectorAll('[data-kind-form]').forEach(function (form) {
    var radios = form.querySelectorAll('input[name="person_kind"]');
    function update() {
      var checked = form.querySelector('input[name="person_kind"]:checked');
      var kind = checked ? checked.value : 'fl';
      form.querySelectorAll('.kind-group').forEach(function (group) {
        var show = group.dataset.kind.split(' ').indexOf(kind) >= 0;
        group.hidden = !show;
        group.querySelectorAll('input, select, textarea').forEach(function (el) {
          el.disabled = !show;
        });
      });
    }
    radios.forEach(function (radio) { radio.addEventListener('change', update); });
    update();
  });
  // Move focus to the first field with an error so that keyboard and
  // screen reader users land where the problem is.
  var invalid = document.querySelector('[aria-invalid="true"]');
  if (invalid) { invalid.focus(); }
  // Mobile menu
  var toggle = document.querySelector('.nav-toggle');
  if (toggle) {
    toggle.addEventListener('toggle', function () {
      document.querySelector('.main-nav').classList.toggle('open', toggle.open);
    });
  }
})();
