/*
 * The prepare page (templates/dashboard/prepare_session.html): "Copy from an earlier
 * session" fills a one-item-per-line field with an earlier session's agreed actions,
 * themes or statements (GET /api/v1/sessions/<id>/copy-lines). The form itself is a
 * plain HTML form; nothing is saved until the facilitator presses Save.
 */
(function () {
  'use strict';

  var form = document.getElementById('prepare-form');
  if (!form || !window.FA) return;
  var FA = window.FA;
  var apiBase = form.getAttribute('data-api');
  var lang = form.getAttribute('data-lang');

  Array.prototype.forEach.call(form.querySelectorAll('[data-prepare-copy]'), function (box) {
    var fieldId = box.getAttribute('data-prepare-copy');
    var target = document.getElementById(fieldId);
    var select = document.getElementById(fieldId + '-copy');
    var status = document.getElementById(fieldId + '-copy-status');
    var button = box.querySelector('[data-prepare-copy-button]');
    if (!target || !select || !status || !button) return;

    button.addEventListener('click', function () {
      var choice = select.value.split(':');
      if (choice.length !== 2) {
        status.textContent = FA.t('Choose a session first.');
        select.focus();
        return;
      }
      button.disabled = true;
      status.textContent = FA.t('Copying…');
      var url = apiBase + encodeURIComponent(choice[0]) + '/copy-lines?source=' +
        encodeURIComponent(choice[1]) + '&lang=' + encodeURIComponent(lang);
      FA.api('GET', url).then(function (data) {
        var lines = (data && data.lines) || [];
        target.value = lines.join('\n');
        target.rows = Math.min(Math.max(lines.length + 1, 5), 16);
        status.textContent = FA.t('Copied {count} lines. Check them, then save.', { count: lines.length });
      }, function (err) {
        status.textContent = err.message;
      }).then(function () {
        button.disabled = false;
      });
    });
  });
})();
