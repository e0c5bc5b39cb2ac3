/* complete.js: completion for eafserve's search box, a progressive
 * enhancement (the form works without it).  It asks the server's
 * /api/suggest for the text typed so far and lists the answers under the
 * box, as an ARIA combobox: arrow keys move, Enter takes one, Escape
 * closes.  Text goes into the page as text (textContent), never as markup. */
(function () {
  "use strict";

  function start() {
    var form = document.querySelector("form.search[data-suggest]");
    var input = form && form.querySelector("input[name=q]");
    if (!input || !window.fetch) return;

    var api = form.getAttribute("data-suggest");
    var articleBase = form.getAttribute("data-article");
    var list = document.createElement("ul");
    var items = [];
    var active = -1;
    var timer = null;
    var asked = "";
    var controller = null;

    list.id = "q-suggest";
    list.className = "suggest-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Suggestions");
    list.hidden = true;
    input.parentNode.parentNode.insertBefore(list, input.parentNode.nextSibling);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function mark(i) {
      var k;
      active = i;
      for (k = 0; k < items.length; k++)
        items[k].li.setAttribute("aria-selected", k === i ? "true" : "false");
      if (i >= 0) input.setAttribute("aria-activedescendant", items[i].li.id);
      else input.removeAttribute("aria-activedescendant");
    }

    function choose(item) {
      close();
      if (item.kind === "title" && item.key && articleBase) {
        window.location.href = articleBase + encodeURIComponent(item.key);
        return;
      }
      input.value = item.text;
      form.submit();
    }

    function show(suggestions) {
      var i;
      while (list.firstChild) list.removeChild(list.firstChild);
      items = [];
      for (i = 0; i < suggestions.length; i++) {
        var s = suggestions[i];
        if (!s || typeof s.text !== "string") continue;
        var li = document.createElement("li");
        var text = document.createElement("span");
        var kind = document.createElement("span");
        li.id = "q-suggest-" + items.length;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        text.textContent = s.text;
        kind.className = "kind";
        kind.textContent = s.kind === "title" ? "article" :
          (typeof s.count === "number" ? s.count + " articles" : "");
        li.appendChild(text);
        li.appendChild(kind);
        list.appendChild(li);
        items.push({li: li, text: s.text, kind: s.kind, key: s.key});
      }
      items.forEach(function (item) {
        /* mousedown, not click: the box keeps its focus */
        item.li.addEventListener("mousedown", function (e) {
          e.preventDefault();
          choose(item);
        });
      });
      active = -1;
      list.hidden = items.length === 0;
      input.setAttribute("aria-expanded", items.length ? "true" : "false");
    }

    function ask() {
      var typed = input.value;
      if (typed === asked) return;
      asked = typed;
      if (!typed.trim()) { close(); return; }
      if (controller) controller.abort();
      controller = window.AbortController ? new AbortController() : null;
      fetch(api + "?n=8&q=" + encodeURIComponent(typed),
            {headers: {"Accept": "application/json"}, signal: controller ? controller.signal : undefined})
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (data && input.value === typed && Array.isArray(data.suggestions))
            show(data.suggestions);
        })
        .catch(function () { /* no completion: the box still works */ });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, 120);
    });
    input.addEventListener("keydown", function (e) {
      if (list.hidden || !items.length) return;
      if (e.key === "ArrowDown") {
        e.preventDefault();
        mark(active + 1 < items.length ? active + 1 : 0);
      } else if (e.key === "ArrowUp") {
        e.preventDefault();
        mark(active > 0 ? active - 1 : items.length - 1);
      } else if (e.key === "Enter" && active >= 0) {
        e.preventDefault();
        choose(items[active]);
      } else if (e.key === "Escape") {
        e.preventDefault();
        close();
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 100); });
  }

  if (document.readyState === "loading")
    document.addEventListener("DOMContentLoaded", start);
  else
    start();
})();
