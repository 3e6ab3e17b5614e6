/*! Scoremap tracker __SCOREMAP_VERSION__ — served at /t.js; docs/integrations/tracker.md tells how to use it.
 *
 * <script async src="https://SCOREMAP_HOST/t.js" data-key="INGEST_KEY"></script>
 *
 * Records a page view on load (and on history.pushState / popstate), and offers
 * scoremap.track(type, props), scoremap.identify(email, traits), scoremap.page(props) and
 * scoremap.consent(boolean). Calls made before this script arrives are queued by the stub
 *   window.scoremap = window.scoremap || [];
 * as arrays, scoremap.push(['track', 'Demo Requested', { plan: 'pro' }]), and run once it loads.
 * Calls go to HOST/v1/batch in Segment's format, about a second's worth at a time; a failed send
 * is retried with backoff and kept in localStorage across reloads; a page that hides sends what
 * is left with sendBeacon. Nothing is recorded, stored or sent while consent is withheld
 * (consent(false), or data-consent="required" before consent(true)) or Do Not Track / Global
 * Privacy Control is on.
 *
 * Hand-written on purpose: what a site owner reads here is what runs on their pages.
 */
(function () {
  'use strict';
  var w = window, d = document, n = navigator;
  if (w.scoremap && w.scoremap.loaded) return; // the snippet pasted twice

  var VERSION = '__SCOREMAP_VERSION__';
  var QUEUE = 'sm_q', ANON = 'sm_anon', CONSENT = 'sm_consent', WHO = 'sm_email';
  var MAX_QUEUE = 100;
  var MAX_CALL = 32000; // Segment's limit for one call
  var MAX_BATCH = 400000; // under Segment's 500 KB a batch
  var MAX_KEEPALIVE = 60000; // browsers refuse keepalive requests and beacons past 64 KB
  var BATCH_MS = 1000;

  var script = d.currentScript || d.querySelector('script[data-key][src*="/t.js"]');
  var key = script && script.getAttribute('data-key');
  // Relative to the script, so a server behind a path prefix (/scoremap/t.js) works too.
  var endpoint = script && new URL('v1/batch', script.src).href;
  var required = script && script.getAttribute('data-consent') === 'required';
  var dnt = n.doNotTrack === '1' || w.doNotTrack === '1' || n.globalPrivacyControl === true;

  var q = []; // calls not yet accepted, oldest first; mirrored in localStorage
  var flight = null; // the calls of the send in progress
  var done = {}; // messageIds this page sent or dropped, so saving never revives them
  var failures = 0, timer = 0, anonId = null, lastUrl = null, referrer = d.referrer, warned = {};

  function warn(msg) {
    if (!warned[msg] && w.console) console.warn('Scoremap tracker: ' + msg);
    warned[msg] = 1;
  }

  function get(k) {
    try { return localStorage.getItem(k); } catch (e) { return null; }
  }
  function put(k, v) {
    try { v == null ? localStorage.removeItem(k) : localStorage.setItem(k, v); } catch (e) { /* full, or storage blocked */ }
  }
  function readQueue() {
    try { var a = JSON.parse(get(QUEUE) || '[]'); return Array.isArray(a) ? a : []; } catch (e) { return []; }
  }
  // Another tab may have calls of its own in storage: keep them, minus what this page finished.
  function save() {
    var mine = {};
    q.forEach(function (c) { mine[c.messageId] = 1; });
    var all = readQueue().filter(function (c) { return c && !mine[c.messageId] && !done[c.messageId]; }).concat(q);
    put(QUEUE, all.length ? JSON.stringify(all.slice(-MAX_QUEUE)) : null);
  }

  function cookie(v) {
    try {
      if (v === undefined) {
        var m = d.cookie.match(/(?:^|;\s*)sm_anon=([^;]+)/);
        return m && decodeURIComponent(m[1]);
      }
      // Host-only (no Domain): the page's own site, never a third party's.
      d.cookie = ANON + '=' + (v || '') + '; path=/; SameSite=Lax; max-age=' + (v ? 31536000 : 0) +
        (location.protocol === 'https:' ? '; Secure' : '');
    } catch (e) { return null; }
  }

  function uuid() {
    var c = w.crypto;
    if (c && c.randomUUID) return c.randomUUID(); // secure pages only
    var b = new Uint8Array(16);
    if (c && c.getRandomValues) c.getRandomValues(b);
    else for (var i = 0; i < 16; i++) b[i] = Math.random() * 256;
    b[6] = (b[6] & 15) | 64;
    b[8] = (b[8] & 63) | 128;
    var h = '';
    for (i = 0; i < 16; i++) h += (i === 4 || i === 6 || i === 8 || i === 10 ? '-' : '') + (b[i] + 256).toString(16).slice(1);
    return h;
  }

  // Made on the first call that is recorded: a visitor who never consents gets nothing stored.
  function anonymousId() {
    if (!anonId) {
      var id = get(ANON) || cookie();
      anonId = id && /^[\w-]{8,64}$/.test(id) ? id : uuid();
    }
    put(ANON, anonId);
    cookie(anonId);
    return anonId;
  }

  function allowed() {
    var c = get(CONSENT);
    return !!key && !dnt && c !== '0' && (c === '1' || !required);
  }

  function here() {
    return location.href.split('#')[0];
  }

  function pageInfo(referrer) {
    return { url: here(), path: location.pathname, title: d.title, referrer: referrer };
  }

  function record(call) {
    if (!allowed()) return;
    call.messageId = uuid();
    call.anonymousId = anonymousId();
    // The browser's clock: the server corrects it by the batch's sentAt (Segment's originalTimestamp).
    call.originalTimestamp = new Date().toISOString();
    call.context = { page: pageInfo(referrer), userAgent: n.userAgent, library: { name: 'scoremap-tracker', version: VERSION } };
    // Who identified on this browser goes with every later call (as Segment's browser library
    // sends its userId): on a shared computer the anonymous id still names the first person.
    var who = get(WHO);
    if (who && call.type !== 'identify') call.context.traits = { email: who };
    if (JSON.stringify(call).length > MAX_CALL) return warn('a ' + call.type + ' call is over 32 KB and was dropped');
    q.push(call);
    if (q.length > MAX_QUEUE) q.shift();
    save();
    schedule(BATCH_MS);
  }

  function schedule(ms) {
    if (!timer) timer = setTimeout(send, ms);
  }

  // The first calls of `list` whose JSON stays under `max` characters (at least one).
  function take(list, max) {
    var out = [], size = 0;
    for (var i = 0; i < list.length; i++) {
      size += JSON.stringify(list[i]).length + 1;
      if (out.length && size > max) break;
      out.push(list[i]);
    }
    return out;
  }

  function body(calls) {
    return JSON.stringify({ writeKey: key, batch: calls, sentAt: new Date().toISOString() });
  }

  function forget(calls) {
    calls.forEach(function (c) { done[c.messageId] = 1; });
    q = q.filter(function (c) { return calls.indexOf(c) < 0; });
    save();
  }

  function send() {
    clearTimeout(timer);
    timer = 0;
    if (flight || !q.length || !allowed()) return;
    var calls = flight = take(q, MAX_BATCH);
    var text = body(calls);
    // text/plain is a CORS-safelisted type: no preflight. The server reads the body as JSON.
    fetch(endpoint, { method: 'POST', body: text, credentials: 'omit', keepalive: text.length < MAX_KEEPALIVE })
      .then(function (r) { return r.status; }, function () { return 0; })
      .then(function (status) {
        flight = null;
        // 408 and 429 are worth another try; any other 4xx would be refused again.
        var refused = status >= 400 && status < 500 && status !== 408 && status !== 429;
        if ((status >= 200 && status < 300) || refused) {
          if (refused) warn('the server refused the calls (HTTP ' + status + ') and they were dropped: check data-key, and that the key is an ingest key listing this site\'s origin');
          failures = 0;
          forget(calls);
          if (q.length) schedule(BATCH_MS);
        } else {
          // A server error, no answer, or an answer without CORS headers (which looks the same).
          failures++;
          schedule(Math.min(60000, 1000 * Math.pow(2, failures - 1)) * (0.75 + Math.random() / 2));
        }
      });
  }

  // The page is hiding and may never come back: hand what is queued to the browser. A beacon gets
  // no answer, so while the server is failing the calls rather stay queued for the next page.
  function flush() {
    if (!n.sendBeacon || failures || !allowed()) return;
    var rest = q.filter(function (c) { return !flight || flight.indexOf(c) < 0; });
    while (rest.length) {
      var calls = take(rest, MAX_KEEPALIVE);
      if (!n.sendBeacon(endpoint, new Blob([body(calls)], { type: 'text/plain' }))) break;
      forget(calls);
      rest = rest.slice(calls.length);
    }
  }

  var api = {
    loaded: true,
    version: VERSION,

    /** Records a page view of the current address, with the page it came from. */
    page: function (props) {
      if (!allowed()) return;
      if (lastUrl) referrer = lastUrl;
      var info = pageInfo(referrer);
      lastUrl = info.url;
      record({ type: 'page', properties: Object.assign(info, props) });
    },

    /** Records an event: its type ("Demo Requested", "webinar_attended") and properties. */
    track: function (type, props) {
      if (!type || typeof type !== 'string') return warn('track needs an event type, such as track("Demo Requested")');
      record({ type: 'track', event: type, properties: Object.assign({}, props) });
    },

    /** Says who this visitor is (a form's submit handler): their email and any other traits. */
    identify: function (email, traits) {
      if (email && typeof email === 'object') { traits = email; email = traits.email; }
      if (!email || typeof email !== 'string') return warn('identify needs an email, such as identify("ann@example.com", { first_name: "Ann" })');
      record({ type: 'identify', traits: Object.assign({}, traits, { email: email.trim() }) });
      if (allowed()) put(WHO, email.trim());
    },

    /**
     * consent(false): nothing is recorded or sent, what is queued and the anonymous id are
     * deleted, and the choice is remembered. consent(true): recording resumes (with this page's view).
     */
    consent: function (given) {
      put(CONSENT, given ? '1' : '0');
      if (given) {
        if (lastUrl !== here()) api.page();
        schedule(0);
        return;
      }
      clearTimeout(timer);
      timer = 0;
      q.forEach(function (c) { done[c.messageId] = 1; });
      q = [];
      put(QUEUE, null);
      put(ANON, null);
      put(WHO, null);
      cookie(null);
      anonId = null;
    },

    /** Runs ['method', ...args], as the stub queued them; calls pushed after loading run at once. */
    push: function (args) {
      var f = args && api[args[0]];
      if (typeof f === 'function' && args[0] !== 'push') f.apply(api, [].slice.call(args, 1));
    },
  };

  var early = Array.isArray(w.scoremap) ? w.scoremap : [];
  w.scoremap = api;
  if (!key) warn('the script tag has no data-key: add data-key="INGEST_KEY"; nothing will be sent');

  // Calls a previous page could not deliver, then the choices queued before the script arrived.
  if (allowed()) {
    q = readQueue().filter(function (c) { return c && c.messageId; });
    if (q.length) schedule(0);
  }
  early.forEach(function (c) { if (c && c[0] === 'consent') api.push(c); });
  api.page();
  early.forEach(function (c) { if (c && c[0] !== 'consent') api.push(c); });

  // Single-page apps: a new address is a new page view (a change of #fragment only is not).
  var pushState = history.pushState;
  history.pushState = function () {
    var r = pushState.apply(this, arguments);
    changed();
    return r;
  };
  addEventListener('popstate', changed);
  function changed() {
    // After the app has had its turn to set the new title.
    setTimeout(function () { if (here() !== lastUrl) api.page(); }, 0);
  }

  d.addEventListener('visibilitychange', function () { if (d.visibilityState === 'hidden') flush(); });
  addEventListener('pagehide', flush);
  addEventListener('online', function () { if (failures) send(); });
})();
