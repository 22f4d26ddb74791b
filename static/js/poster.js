/* The printable posters (templates/teams/poster.html, qr_poster.html): the print button. */
(function () {
  'use strict';
  Array.prototype.forEach.call(document.querySelectorAll('[data-print]'), function (btn) {
    btn.addEventListener('click', function () { window.print(); });
  });
})();
