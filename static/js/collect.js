/* Input before the session (dashboard/collect.html): keep "18 ideas from 9 phones"
   current while the page is open, reading the API every 10 seconds. */
(function () {
  'use strict';
  var out = document.getElementById('collect-count');
  if (!out || !window.fetch) return;
  var url = out.getAttribute('data-url');
  function refresh() {
    fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        // The server words it in the page's language ("18 ideas from 9 phones").
        if (data && data.text && out.textContent !== data.text) out.textContent = data.text;
      })
      .catch(function () { /* offline: try again on the next round */ });
  }
  setInterval(refresh, 10000);
})();
