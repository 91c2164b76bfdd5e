// The search page: queries this site's Pagefind index (/pagefind/, written by `museumsite build`) in the
// browser. Pagefind loads the index of the page's <html lang>, so each language searches its own pages.
// A large site's index comes in shards (/pagefind/en-0/, /pagefind/en-1/, ...): /pagefind/shards.json lists
// the shards of each language; the first is loaded and the others are merged into it.
// Every string the reader sees comes from the page (data attributes, translated by the theme).
(function () {
  "use strict";
  var box = document.getElementById("search");
  if (!box || !window.fetch) { return; }
  var form = box.querySelector("form"), input = box.querySelector("input[type=search]");
  var status = document.getElementById("search-status"), list = document.getElementById("search-results");
  var elsewhere = box.querySelector(".search-elsewhere");
  var pagefind = null, latest = 0, timer = 0;

  box.querySelector(".search-no-js").hidden = true;
  form.hidden = false;

  function say(template, query, count) {
    status.textContent = template.replace("{query}", query).replace("{count}", String(count));
  }

  // Pagefind's excerpt is HTML with <mark> around the matched words: keep the text and the marks, nothing else.
  function excerpt(html) {
    var p = document.createElement("p");
    var parsed = new DOMParser().parseFromString("<body>" + html + "</body>", "text/html").body;
    parsed.childNodes.forEach(function (node) {
      if (node.nodeName === "MARK") {
        var mark = document.createElement("mark");
        mark.textContent = node.textContent;
        p.appendChild(mark);
      } else {
        p.appendChild(document.createTextNode(node.textContent || ""));
      }
    });
    return p;
  }

  function show(data, lang) {
    var item = document.createElement("li");
    item.lang = lang;
    var link = document.createElement("a");
    link.href = data.url;
    link.textContent = (data.meta && data.meta.title) || data.url;
    var heading = document.createElement("p");
    heading.appendChild(link);
    // What the page is (talk, speaker, post...) and its date, in the page's language.
    var meta = data.meta || {}, about = document.createElement("p");
    about.className = "meta";
    about.lang = document.documentElement.lang;
    var kind = meta.kind && box.dataset["kind" + meta.kind.charAt(0).toUpperCase() + meta.kind.slice(1)];
    var parts = [];
    if (kind) { parts.push(kind); }
    if (meta.date) {
      var day = new Date(meta.date.length === 10 ? meta.date + "T12:00:00" : meta.date);
      if (!isNaN(day)) {
        parts.push(day.toLocaleDateString(document.documentElement.lang, { year: "numeric", month: "long", day: "numeric" }));
      }
    }
    if (kind) {
      var chip = document.createElement("span");
      chip.className = "result-kind";
      chip.textContent = parts.shift();
      about.append(chip, parts.length ? " " + parts.join(" · ") : "");
    } else {
      about.textContent = parts.join(" · ");
    }
    item.className = meta.kind ? "result-" + meta.kind : "";
    item.append(heading, about, excerpt(data.excerpt || ""));
    list.appendChild(item);
  }

  // The shards of this page's language, as folders of the bundle ("" is the bundle itself). Looked up
  // as Pagefind looks up its index: the language, then its first part ("pt-br", then "pt").
  function shardsOf(list) {
    var lang = (document.documentElement.lang || "unknown").toLowerCase();
    return list[lang] || list[lang.split("-")[0]] || [];
  }

  // The Pagefind module with every shard of this language merged in, or null if none holds a page in it.
  function load() {
    if (!pagefind) {
      var bundle = box.dataset.bundle, base = box.dataset.base;
      pagefind = fetch(bundle + "shards.json").then(function (response) {
        if (!response.ok) { throw new Error("no shard list"); }
        return response.json();
      }).then(function (list) {
        var shards = shardsOf(list);
        if (!shards.length) { return null; }
        return import(bundle + shards[0] + "pagefind.js").then(function (module) {
          return module.options({ baseUrl: base }).then(function () {
            return Promise.all(shards.slice(1).map(function (shard) {
              return module.mergeIndex(bundle + shard, { baseUrl: base });
            }));
          }).then(function () { return module; });
        });
      });
      pagefind.catch(function () { pagefind = null; });  // a failed load is tried again at the next query
    }
    return pagefind;
  }

  function run(query) {
    var ticket = ++latest;
    query = query.trim();
    var url = new URL(window.location.href);
    if (query) { url.searchParams.set("q", query); } else { url.searchParams.delete("q"); }
    window.history.replaceState(null, "", url);
    if (elsewhere) {
      elsewhere.querySelectorAll("a").forEach(function (a) {
        var target = new URL(a.href);
        target.searchParams.set("q", query);
        a.href = target.href;
      });
    }
    if (!query) { list.replaceChildren(); status.textContent = ""; return; }
    load().then(function (module) {
      return module ? module.search(query) : { results: [] };
    }).then(function (search) {
      return Promise.all(search.results.slice(0, 20).map(function (r) { return r.data(); }))
        .then(function (pages) {
          if (ticket !== latest) { return; }
          list.replaceChildren();
          pages.forEach(function (data) { show(data, document.documentElement.lang); });
          say(pages.length ? box.dataset.found : box.dataset.none, query, search.results.length);
        });
    }).catch(function () {
      if (ticket === latest) { status.textContent = box.dataset.failed; }
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    run(input.value);
  });
  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(function () { run(input.value); }, 300);
  });
  var initial = new URL(window.location.href).searchParams.get("q");
  if (initial) { input.value = initial; run(initial); }
}());
