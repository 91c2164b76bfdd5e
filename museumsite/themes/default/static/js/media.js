// Click-to-load video: nothing is asked of another host until the reader presses the button.
// Without JavaScript the figure keeps its plain link to the recording.
(function () {
  "use strict";
  document.querySelectorAll("figure.video").forEach(function (figure) {
    var embed = figure.dataset.embed, file = figure.dataset.file;
    var button = figure.querySelector(".video-load");
    if (!button || !(embed || file)) { return; }
    if (embed && embed.indexOf("https://") !== 0) { return; }  // the build writes only https players
    button.hidden = false;
    button.addEventListener("click", function () {
      var player;
      if (file) {
        player = document.createElement("video");
        player.controls = true;
        player.preload = "metadata";
        var source = document.createElement("source");
        source.src = file;
        source.type = figure.dataset.type || "";
        player.appendChild(source);
      } else {
        player = document.createElement("iframe");
        // The player runs in a sandbox: it may run its own scripts on its own origin and
        // go fullscreen, never navigate this page, open a form or download on its own.
        player.setAttribute("sandbox", "allow-scripts allow-same-origin allow-presentation allow-popups");
        player.allow = "fullscreen; picture-in-picture; encrypted-media";
        player.referrerPolicy = "strict-origin-when-cross-origin";
        player.title = figure.dataset.title || "";
        player.loading = "lazy";
        player.src = embed;
      }
      player.className = "video-player";
      figure.querySelector(".video-consent").replaceWith(player);
      player.focus();
    });
  });
})();
