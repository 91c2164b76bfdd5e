// Click-to-load video: nothing is asked of another host until the reader presses the button.
// Without JavaScript the figure keeps its plain link to the recording.
(function () {
  "use strict";
  document.querySelectorAll("figure.video").forEach(function (figure) {
    var embed = figure.dataset.embed, file = figure.dataset.file;
    var button = figure.querySelector(".video-load");
    if (!button || !(embed || file)) { return; }
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
        player.src = embed;
        player.title = figure.dataset.title || "";
        player.allow = "fullscreen; picture-in-picture";
        player.referrerPolicy = "strict-origin-when-cross-origin";
        player.loading = "lazy";
      }
      player.className = "video-player";
      figure.querySelector(".video-consent").replaceWith(player);
      player.focus();
    });
  });
})();
