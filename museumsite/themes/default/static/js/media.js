// The recording's play control. A file of this site is a <video preload="none"> already on the page: the large
// button plays it (the video's own controls work too, and without JavaScript). Another host's player is
// click-to-load: nothing is asked of that host until the reader presses the button.
// Without JavaScript the button stays hidden and the figure keeps its plain link to the recording.
(function () {
  "use strict";
  document.querySelectorAll("figure.video").forEach(function (figure) {
    var embed = figure.dataset.embed;
    var button = figure.querySelector(".video-play");
    var video = figure.querySelector("video");
    if (!button) { return; }
    if (video) {
      // The poster or title card shows until the reader plays; then the video with its own controls.
      figure.classList.add("ready");
      button.hidden = false;
      var started = function () { figure.classList.add("playing"); button.hidden = true; };
      video.addEventListener("play", started);
      button.addEventListener("click", function () { started(); video.play(); video.focus(); });
      return;
    }
    var file = figure.dataset.file;
    if (!file && (!embed || embed.indexOf("https://") !== 0)) { return; }  // the build writes only https players
    button.hidden = false;
    button.addEventListener("click", function () {
      var player;
      if (file) {  // a file on another host: asked for only now
        player = document.createElement("video");
        player.controls = true;
        player.autoplay = true;
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
      figure.classList.add("playing");
      button.replaceWith(player);
      player.focus();
    });
  });
})();
