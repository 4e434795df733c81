// lk_appointments: submit the choices form when a list changes (the form
// works without it, by its «Показать время» button).
document.addEventListener('DOMContentLoaded', function () {
  document.querySelectorAll('[data-appt-autosubmit]').forEach(function (select) {
    select.addEventListener('change', function () {
      var form = select.form;
      // a changed list makes the ones after it stale
      var after = false;
      form.querySelectorAll('[data-appt-autosubmit]').forEach(function (other) {
        if (after) { other.value = ''; }
        if (other === select) { after = true; }
      });
      form.submit();
    });
  });
  document.querySelectorAll('.appt-show').forEach(function (el) {
    el.hidden = true;
  });
});
