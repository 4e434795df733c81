// On to the bank's card page (a navigation, not a form: the page policy's
// form-action does not let a form be redirected to another site)
document.addEventListener('DOMContentLoaded', function () {
  var link = document.getElementById('pay-go');
  if (link) { window.location.assign(link.href); }
});
