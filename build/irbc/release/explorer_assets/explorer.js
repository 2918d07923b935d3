/* IR Balancing Corpus explorer: layer switch, audit view, concept tooltips on hover and focus, stance evidence
   links, and the search box over window.IRBC_SEARCH. No network: everything it reads is in the folder. */
(function () {
  "use strict";
  var body = document.body;
  var codebook = window.IRBC_CODEBOOK || {};
  var tip = document.getElementById("tip");

  function setLayer(layer) {
    body.setAttribute("data-layer", layer);
    var ms = document.querySelectorAll(".m[data-mention-id]");
    for (var i = 0; i < ms.length; i++) {
      var on = ms[i].getAttribute("data-layer") === layer;
      ms[i].classList.toggle("on", on);
      ms[i].tabIndex = on ? 0 : -1;
    }
    hide();
  }

  var radios = document.querySelectorAll('input[name="layer"]');
  for (var i = 0; i < radios.length; i++) {
    radios[i].addEventListener("change", function (ev) { if (ev.target.checked) { setLayer(ev.target.value); } });
  }
  var audit = document.getElementById("audit-toggle");
  if (audit) {
    audit.addEventListener("change", function () { body.classList.toggle("audit", audit.checked); });
  }

  function mentionOf(node) {
    var layer = body.getAttribute("data-layer");
    while (node && node.nodeType === 1) {
      if (node.classList.contains("m") && node.getAttribute("data-layer") === layer) { return node; }
      node = node.parentNode;
    }
    return null;
  }
  function show(el) {
    var c = codebook[el.getAttribute("data-concept-id")];
    if (!c || !tip) { return; }
    tip.textContent = "";
    var b = document.createElement("strong");
    b.textContent = c.label;
    var f = document.createElement("span");
    f.className = "facet";
    f.textContent = "facet: " + c.facet + " · " + el.getAttribute("data-layer");
    var d = document.createElement("span");
    d.textContent = c.definition;
    tip.appendChild(b); tip.appendChild(f); tip.appendChild(d);
    tip.hidden = false;
    var r = el.getBoundingClientRect();
    var w = Math.min(320, window.innerWidth - 16);
    tip.style.left = Math.max(8, Math.min(r.left, window.innerWidth - w - 8)) + "px";
    tip.style.top = (r.bottom + 8 > window.innerHeight - 120 ? Math.max(8, r.top - 130) : r.bottom + 8) + "px";
  }
  function hide() { if (tip) { tip.hidden = true; } }
  function onEnter(ev) { var m = mentionOf(ev.target); if (m) { show(m); } else { hide(); } }
  document.addEventListener("mouseover", onEnter);
  document.addEventListener("focusin", onEnter);
  document.addEventListener("keydown", function (ev) { if (ev.key === "Escape") { hide(); } });

  document.addEventListener("click", function (ev) {
    var t = ev.target;
    if (t.closest && !t.closest("a") && t.closest("mark.ev")) {
      location.hash = t.closest("mark.ev").getAttribute("data-panel");
    }
  });
  function focusTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    var el = id && document.getElementById(id);
    if (el && el.hasAttribute("tabindex")) { el.focus({ preventScroll: true }); }
  }
  window.addEventListener("hashchange", focusTarget);

  var q = document.getElementById("q");
  var data = window.IRBC_SEARCH || [];
  if (q) { q.addEventListener("input", function () { search(q.value); }); }
  function search(value) {
    var hits = document.getElementById("hits");
    var count = document.getElementById("hits-count");
    hits.textContent = "";
    var terms = value.toLowerCase().split(/\s+/).filter(function (t) { return t.length > 0; });
    if (value.trim().length < 3) { count.textContent = ""; return; }
    var found = 0;
    for (var i = 0; i < data.length; i++) {
      var text = data[i][2], low = text.toLowerCase();
      if (!terms.every(function (t) { return low.indexOf(t) >= 0; })) { continue; }
      found++;
      if (found > 100) { continue; }
      var at = low.indexOf(terms[0]);
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = data[i][0] + ".html#" + data[i][1];
      a.className = "doc";
      a.textContent = data[i][0] + " · " + data[i][1];
      var s = document.createElement("span");
      s.textContent = " " + (at > 60 ? "…" : "") + text.slice(Math.max(0, at - 60), at + 140) + (at + 140 < text.length ? "…" : "");
      li.appendChild(a); li.appendChild(s); hits.appendChild(li);
    }
    count.textContent = found + " paragraphs or notes match" + (found > 100 ? " (first 100 shown)" : "");
  }
}());
