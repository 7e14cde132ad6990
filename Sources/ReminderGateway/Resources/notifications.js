/*
 * In-app reminder notifications for the case UI.
 *
 * Shows each pending reminder of the signed-in user as a Bootstrap 5 toast with snooze
 * (15 min, 30 min, 1 h, 4 h, 1 day, custom) and dismiss. New reminders arrive over the
 * Server-Sent Events stream at once; the page also polls /api/v1/reminders/pending/me every
 * 30 s (paused while the tab is hidden) in case the stream is down. Works with or without
 * Bootstrap's CSS and JS: without them it adds a few rules of its own using the same classes.
 *
 * Start: automatically on page load when a token is found (window.REMINDERS_TOKEN,
 * <meta name="reminders-token">, localStorage "access_token"), or by calling
 * ReminderNotifications.init({ token, baseUrl }).
 */
(function () {
  'use strict';

  var POLL_INTERVAL_MS = 30000;
  var SNOOZE_PRESETS = [
    { minutes: 15, label: '15 min' },
    { minutes: 30, label: '30 min' },
    { minutes: 60, label: '1 hour' },
    { minutes: 240, label: '4 hours' },
    { minutes: 1440, label: '1 day' }
  ];

  var state = {
    token: null,
    baseUrl: '',
    userId: null,
    pollTimer: null,
    eventSource: null,
    shown: {},      // reminder_id -> toast element currently on screen
    handled: {},    // inbox id -> true once shown (a closed toast does not come back this page view)
    heldEntry: null, // the collapsed "n more held back" entry, while the user has held items
    initialized: false
  };

  function decodeUserId(token) {
    try {
      var payload = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
      while (payload.length % 4) { payload += '='; }
      var claims = JSON.parse(atob(payload));
      return claims.sub != null ? String(claims.sub) : null;
    } catch (e) {
      return null;
    }
  }

  function api(method, path, body) {
    var options = { method: method, headers: { 'Authorization': 'Bearer ' + state.token } };
    if (body !== undefined) {
      options.headers['Content-Type'] = 'application/json';
      options.body = JSON.stringify(body);
    }
    return fetch(state.baseUrl + path, options).then(function (response) {
      if (!response.ok) {
        return response.json().catch(function () { return {}; }).then(function (problem) {
          var error = new Error(problem.detail || ('HTTP ' + response.status));
          error.status = response.status;
          throw error;
        });
      }
      return response.status === 204 ? null : response.json();
    });
  }

  function injectFallbackStyles() {
    if (document.getElementById('reminder-toast-styles')) { return; }
    // Bootstrap present? Its .toast rule sets a max width; if not, add the minimum ourselves.
    var probe = document.createElement('div');
    probe.className = 'toast';
    document.body.appendChild(probe);
    var hasBootstrap = window.getComputedStyle(probe).maxWidth !== 'none' || !!(window.bootstrap && window.bootstrap.Toast);
    document.body.removeChild(probe);
    if (hasBootstrap) { return; }
    var style = document.createElement('style');
    style.id = 'reminder-toast-styles';
    style.textContent = [
      '.toast-container{position:fixed;bottom:0;right:0;padding:1rem;z-index:1090;display:flex;flex-direction:column;gap:.5rem}',
      '.toast{width:350px;max-width:100%;font-size:.875rem;background:#fff;border:1px solid rgba(0,0,0,.175);border-radius:.375rem;box-shadow:0 .5rem 1rem rgba(0,0,0,.15);display:none;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}',
      '.toast.show{display:block}',
      '.toast-header{display:flex;align-items:center;padding:.5rem .75rem;border-bottom:1px solid rgba(0,0,0,.175);background:rgba(255,255,255,.85);border-radius:.375rem .375rem 0 0}',
      '.toast-header .me-auto{margin-right:auto}',
      '.toast-body{padding:.75rem;word-wrap:break-word}',
      '.btn-close{border:0;background:transparent;font-size:1.1rem;line-height:1;cursor:pointer;opacity:.6;margin-left:.5rem}',
      '.btn-close::before{content:"\\00d7"}',
      '.btn{display:inline-block;padding:.25rem .5rem;font-size:.8rem;border-radius:.25rem;border:1px solid #6c757d;background:#fff;cursor:pointer}',
      '.btn-outline-danger{border-color:#dc3545;color:#dc3545}',
      '.btn-primary{background:#0d6efd;border-color:#0d6efd;color:#fff}',
      '.form-select,.form-control{font-size:.8rem;padding:.2rem .4rem;border:1px solid #ced4da;border-radius:.25rem}',
      '.d-flex{display:flex}.gap-2{gap:.5rem}.mt-2{margin-top:.5rem}.align-items-center{align-items:center}.d-none{display:none!important}',
      '.badge{display:inline-block;padding:.25em .5em;font-size:.7em;font-weight:700;border-radius:.375rem;color:#fff;margin-right:.5rem}',
      '.text-bg-secondary{background:#6c757d}.text-bg-primary{background:#0d6efd}.text-bg-warning{background:#ffc107;color:#000}.text-bg-danger{background:#dc3545}',
      '.text-body-secondary{color:#6c757d}',
      '.list-unstyled{list-style:none;padding-left:0}.mb-0{margin-bottom:0}.ms-1{margin-left:.25rem}.p-0{padding:0}',
      '.btn-link{border:0;background:transparent;color:#0d6efd;text-decoration:underline}'
    ].join('\n');
    document.head.appendChild(style);
  }

  function container() {
    var element = document.getElementById('reminder-toast-container');
    if (!element) {
      element = document.createElement('div');
      element.id = 'reminder-toast-container';
      element.className = 'toast-container position-fixed bottom-0 end-0 p-3';
      document.body.appendChild(element);
    }
    return element;
  }

  var PRIORITY_BADGE = { low: 'text-bg-secondary', normal: 'text-bg-primary', high: 'text-bg-warning', urgent: 'text-bg-danger' };

  function text(tag, className, content) {
    var element = document.createElement(tag);
    if (className) { element.className = className; }
    if (content != null) { element.textContent = content; }
    return element;
  }

  function hideToast(toast) {
    if (!toast || toast.dataset.hiding) { return; }
    toast.dataset.hiding = '1';
    if (state.shown[toast.dataset.reminderId] === toast) { delete state.shown[toast.dataset.reminderId]; }
    if (window.bootstrap && window.bootstrap.Toast) {
      window.bootstrap.Toast.getOrCreateInstance(toast).hide();
    } else {
      toast.classList.remove('show');
      toast.dispatchEvent(new Event('hidden.bs.toast'));
    }
  }

  function act(toast, path, body) {
    toast.querySelectorAll('button, select, input').forEach(function (control) { control.disabled = true; });
    return api('POST', '/api/v1/sag/reminders/' + toast.dataset.reminderId + path, body)
      .then(function () { hideToast(toast); })
      .catch(function (error) {
        // Gone or not ours any more: nothing left to do with it.
        if (error.status === 404) { hideToast(toast); return; }
        toast.querySelectorAll('button, select, input').forEach(function (control) { control.disabled = false; });
        console.error('Reminder action failed:', error.message);
      });
  }

  function showReminder(entry) {
    if (state.handled[entry.id]) { return; }
    state.handled[entry.id] = true;
    var previous = state.shown[entry.reminder_id];
    if (previous) { previous.remove(); }

    var toast = text('div', 'toast show reminder-toast');
    toast.setAttribute('role', 'alert');
    toast.setAttribute('aria-live', 'assertive');
    toast.setAttribute('aria-atomic', 'true');
    toast.dataset.reminderId = entry.reminder_id;
    toast.dataset.inboxId = entry.id;
    toast.dataset.priority = entry.priority;

    var header = text('div', 'toast-header');
    header.appendChild(text('span', 'badge ' + (PRIORITY_BADGE[entry.priority] || 'text-bg-secondary'), entry.priority));
    header.appendChild(text('strong', 'me-auto reminder-title', entry.title));
    if (entry.case_title) { header.appendChild(text('small', 'text-body-secondary', entry.case_title)); }
    var close = text('button', 'btn-close');
    close.type = 'button';
    close.setAttribute('aria-label', 'Close');
    close.addEventListener('click', function () { hideToast(toast); });
    header.appendChild(close);
    toast.appendChild(header);

    var body = text('div', 'toast-body');
    if (entry.message) { body.appendChild(text('div', 'reminder-message', entry.message)); }
    var actions = text('div', 'd-flex gap-2 mt-2 align-items-center');

    var select = text('select', 'form-select form-select-sm reminder-snooze');
    select.setAttribute('aria-label', 'Snooze');
    select.appendChild(new Option('Snooze…', ''));
    SNOOZE_PRESETS.forEach(function (preset) { select.appendChild(new Option(preset.label, String(preset.minutes))); });
    select.appendChild(new Option('Custom…', 'custom'));
    var custom = text('input', 'form-control form-control-sm reminder-snooze-minutes d-none');
    custom.type = 'number';
    custom.min = '1';
    custom.max = '43200';
    custom.placeholder = 'minutes';
    custom.style.width = '6rem';
    var customGo = text('button', 'btn btn-sm btn-primary reminder-snooze-go d-none', 'Snooze');
    customGo.type = 'button';
    select.addEventListener('change', function () {
      if (select.value === 'custom') {
        custom.classList.remove('d-none');
        customGo.classList.remove('d-none');
        custom.focus();
      } else if (select.value) {
        act(toast, '/snooze', { minutes: parseInt(select.value, 10) });
      }
    });
    customGo.addEventListener('click', function () {
      var minutes = parseInt(custom.value, 10);
      if (minutes >= 1 && minutes <= 43200) { act(toast, '/snooze', { minutes: minutes }); }
      else { custom.classList.add('is-invalid'); }
    });
    var dismiss = text('button', 'btn btn-sm btn-outline-danger reminder-dismiss', 'Dismiss');
    dismiss.type = 'button';
    dismiss.addEventListener('click', function () { act(toast, '/dismiss'); });

    actions.appendChild(select);
    actions.appendChild(custom);
    actions.appendChild(customGo);
    actions.appendChild(dismiss);
    body.appendChild(actions);
    toast.appendChild(body);

    // Removed from the page once hidden, whichever way it was hidden.
    toast.addEventListener('hidden.bs.toast', function () { toast.remove(); });
    container().appendChild(toast);
    state.shown[entry.reminder_id] = toast;
    if (window.bootstrap && window.bootstrap.Toast) {
      window.bootstrap.Toast.getOrCreateInstance(toast, { autohide: false }).show();
    }
  }

  // What the rate limit held back: one collapsed entry, "n more held back", which opens into
  // the list (GET /api/v1/reminders/held/me). Text only through textContent.
  function renderHeld(list) {
    var entry = state.heldEntry;
    if (!list || !list.count) {
      if (entry) { entry.remove(); state.heldEntry = null; }
      return;
    }
    if (!entry) {
      entry = text('div', 'toast show reminder-held');
      entry.setAttribute('role', 'status');
      var header = text('div', 'toast-header');
      var toggle = text('button', 'btn btn-link btn-sm p-0 me-auto reminder-held-toggle');
      toggle.type = 'button';
      toggle.setAttribute('aria-expanded', 'false');
      toggle.addEventListener('click', function () { toggleHeld(entry, toggle); });
      header.appendChild(toggle);
      entry.appendChild(header);
      var items = text('ul', 'list-unstyled toast-body mb-0 reminder-held-items d-none');
      entry.appendChild(items);
      container().insertBefore(entry, container().firstChild);
      state.heldEntry = entry;
    }
    entry.dataset.count = String(list.count);
    entry.querySelector('.reminder-held-toggle').textContent = list.count + ' more held back';
    if (entry.querySelector('.reminder-held-toggle').getAttribute('aria-expanded') === 'true') { fillHeld(entry, list); }
  }

  function fillHeld(entry, list) {
    var items = entry.querySelector('.reminder-held-items');
    while (items.firstChild) { items.removeChild(items.firstChild); }
    list.items.forEach(function (item) {
      var row = text('li', 'reminder-held-item');
      row.dataset.reminderId = item.reminder_id;
      row.appendChild(text('span', 'badge ' + (PRIORITY_BADGE[item.priority] || 'text-bg-secondary'), item.priority));
      row.appendChild(document.createTextNode(' '));
      row.appendChild(text('strong', 'reminder-held-title', item.title));
      if (item.case_title) { row.appendChild(text('small', 'text-body-secondary ms-1', item.case_title)); }
      if (item.message) { row.appendChild(text('div', 'reminder-held-message', item.message)); }
      items.appendChild(row);
    });
  }

  function toggleHeld(entry, toggle) {
    var items = entry.querySelector('.reminder-held-items');
    if (toggle.getAttribute('aria-expanded') === 'true') {
      toggle.setAttribute('aria-expanded', 'false');
      items.classList.add('d-none');
      return Promise.resolve();
    }
    toggle.setAttribute('aria-expanded', 'true');
    items.classList.remove('d-none');
    return api('GET', '/api/v1/reminders/held/me')
      .then(function (list) { renderHeld(list); if (state.heldEntry) { fillHeld(state.heldEntry, list); } })
      .catch(function (error) { console.warn('Held list failed:', error.message); });
  }

  function pollHeld() {
    return api('GET', '/api/v1/reminders/held/me')
      .then(renderHeld)
      .catch(function (error) { console.warn('Held poll failed:', error.message); });
  }

  function poll() {
    if (document.visibilityState === 'hidden') { return; }
    api('GET', '/api/v1/reminders/pending/me')
      .then(function (entries) { entries.slice().reverse().forEach(showReminder); })
      .catch(function (error) { console.warn('Reminder poll failed:', error.message); });
    pollHeld();
  }

  function startPolling() {
    stopPolling();
    state.pollTimer = window.setInterval(poll, POLL_INTERVAL_MS);
  }

  function stopPolling() {
    if (state.pollTimer) { window.clearInterval(state.pollTimer); state.pollTimer = null; }
  }

  function connectStream() {
    if (!window.EventSource) { return; }
    var url = state.baseUrl + '/api/v1/reminders/stream/me?token=' + encodeURIComponent(state.token);
    var source = new EventSource(url);
    source.addEventListener('reminder', function (event) {
      try { showReminder(JSON.parse(event.data)); } catch (e) { console.warn('Bad reminder event', e); }
    });
    source.addEventListener('open', function () { window.ReminderNotifications.streamConnected = true; });
    source.addEventListener('error', function () {
      window.ReminderNotifications.streamConnected = false;
      // A closed stream (e.g. the token expired) is not retried by the browser; polling goes on.
      if (source.readyState === EventSource.CLOSED) { state.eventSource = null; }
    });
    state.eventSource = source;
  }

  function onVisibilityChange() {
    if (document.visibilityState === 'hidden') {
      stopPolling();
    } else {
      poll();
      startPolling();
    }
  }

  function findToken() {
    if (window.REMINDERS_TOKEN) { return window.REMINDERS_TOKEN; }
    var meta = document.querySelector('meta[name="reminders-token"]');
    if (meta && meta.content) { return meta.content; }
    try { return window.localStorage.getItem('access_token'); } catch (e) { return null; }
  }

  function init(options) {
    options = options || {};
    var token = options.token || findToken();
    if (!token) { return false; }
    if (state.initialized) { stop(); }
    state.token = token;
    state.baseUrl = (options.baseUrl || '').replace(/\/$/, '');
    state.userId = decodeUserId(token);
    if (!state.userId) { console.warn('Reminder system: the token carries no user id'); return false; }
    injectFallbackStyles();
    container();
    document.addEventListener('visibilitychange', onVisibilityChange);
    connectStream();
    poll();
    if (document.visibilityState !== 'hidden') { startPolling(); }
    state.initialized = true;
    console.log('✅ Reminder system initialized');
    return true;
  }

  function stop() {
    stopPolling();
    if (state.eventSource) { state.eventSource.close(); state.eventSource = null; }
    if (state.heldEntry) { state.heldEntry.remove(); state.heldEntry = null; }
    document.removeEventListener('visibilitychange', onVisibilityChange);
    state.initialized = false;
  }

  window.ReminderNotifications = {
    init: init,
    stop: stop,
    poll: poll,
    pollHeld: pollHeld,
    showReminder: showReminder,
    streamConnected: false,
    get userId() { return state.userId; }
  };

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', function () { init(); });
  } else {
    init();
  }
})();
