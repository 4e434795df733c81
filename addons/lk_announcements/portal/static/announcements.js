// lk_announcements: the connected power receivers matter only for an offer;
// the list is hidden while «Спрос» is chosen (without the script it stays
// shown, and a demand ignores it).
document.addEventListener('DOMContentLoaded', function () {
  var connection = document.querySelector('.ann-connection');
  if (!connection) { return; }
  var kinds = document.querySelectorAll('input[name="kind"]');
  function update() {
    var offer = document.querySelector('input[name="kind"][value="offer"]');
    connection.hidden = !(offer && offer.checked);
  }
  kinds.forEach(function (radio) { radio.addEventListener('change', update); });
  update();
});
