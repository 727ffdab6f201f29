// TapTrail's visitor pages work without this script; it adds what needs one: sharing a page,
// the service worker that keeps pages for offline use, saving a walk, and the TV board's
// refresh that keeps the last good content when the network drops.
(function () {
  "use strict";

  function share() {
    var box = document.querySelector(".share");
    if (!box) return;
    var button = box.querySelector("[data-share]");
    var said = box.querySelector("[role=status]");
    box.hidden = false;
    button.addEventListener("click", function () {
      var url = location.href.split("#")[0];
      if (navigator.share) {
        navigator.share({ title: document.title, url: url }).catch(function () {});
      } else if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(url).then(function () {
          said.textContent = button.getAttribute("data-copied");
        }, function () { showLink(url); });
      } else {
        showLink(url);
      }
    });
    function showLink(url) {
      var field = box.querySelector("input") || document.createElement("input");
      field.readOnly = true;
      field.value = url;
      field.setAttribute("aria-label", button.textContent);
      box.appendChild(field);
      field.select();
    }
  }

  function saveWalk() {
    var button = document.querySelector("[data-save-walk]");
    if (!button || !("caches" in window)) return;
    button.parentNode.hidden = false;
    button.addEventListener("click", function () {
      var said = button.parentNode.querySelector("[role=status]");
      caches.open("tt-walks").then(function (cache) {
        return cache.add(location.pathname);
      }).then(function () {
        said.textContent = button.getAttribute("data-saved");
      }, function () {});
    });
  }

  function board() {
    var main = document.querySelector("main[data-refresh]");
    if (!main) return;
    var every = parseInt(main.getAttribute("data-refresh"), 10) * 1000;
    setInterval(function () {
      fetch(location.href, { cache: "no-store", credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
          return response.text();
        })
        .then(function (html) {
          var fresh = new DOMParser().parseFromString(html, "text/html");
          var content = fresh.querySelector("main[data-refresh]");
          var style = fresh.querySelector("style");
          if (!content) throw new Error("no board");
          if (style) document.querySelector("style").textContent = style.textContent;
          main.innerHTML = content.innerHTML;
          main.classList.remove("offline");
        })
        .catch(function () {
          main.classList.add("offline"); // the last good content stays on screen
        });
    }, every);
  }

  share();
  saveWalk();
  board();
  if ("serviceWorker" in navigator && window.isSecureContext) {
    navigator.serviceWorker.register("/sw.js").catch(function () {});
  }
})();
